"""Malformed packs, folders and zips: a clear refusal, nothing saved, no exception, memory bounded."""

import io
import json
import resource
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader, PdfWriter

from cabinet.models import Minute, Paper
from decisions import packs
from decisions.packs import PackRefused, plan_pack
from tests.pdfpacks import Document, build_pack, sample_text

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
MINUTE = sample_text(SAMPLES / "invented-ECO-25-MIN-0101.txt")
PAPER = sample_text(SAMPLES / "packs" / "invented-ECO-25-SUB-0101-paper.txt")


def good_pack():
    return build_pack([Document(PAPER, "ECO-25-SUB-0101"), Document(MINUTE, "ECO-25-MIN-0101")])


def run(*args):
    """Run the command over a folder or zip; (stdout, stderr, the CommandError's message or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("importminute", "--user", "clerk", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), None


def encrypted(content, password):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def assert_refused(name, content, message):
    with pytest.raises(PackRefused, match=message):
        pack = plan_pack(name, content)
        raise PackRefused(" ".join(pack.problems))


def test_a_truncated_pdf_is_refused_with_its_reason():
    content = good_pack()
    assert_refused("pack.pdf", content[: len(content) // 2], "The PDF is damaged and cannot be read")


def test_a_password_protected_pdf_is_refused_and_one_locked_only_against_changes_is_read():
    assert_refused("pack.pdf", encrypted(good_pack(), "secret"), "protected by a password")

    pack = plan_pack("pack.pdf", encrypted(good_pack(), ""))
    assert pack.can_save and pack.minutes[0].plan.reference == "ECO-25-MIN-0101"


def test_a_pack_of_scans_only_is_refused_naming_the_pages_that_need_ocr():
    content = build_pack([Document("", scanned_pages=3)])
    assert_refused("scans.pdf", content, r"not a minute.*Pages 1, 2, 3 have no text layer \(scanned images\)")


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n", b"not a pdf at all", bytes(range(256)) * 40])
def test_files_that_are_not_pdfs_or_text_are_refused(content):
    with pytest.raises(PackRefused, match=r"not a PDF \(it does not start with %PDF\)|The PDF is damaged and cannot be read"):
        pack = plan_pack("pack.pdf", content)
        raise PackRefused(" ".join(pack.problems))


def test_a_500_page_pack_is_read_whole_with_its_minute_on_the_last_pages():
    filler = "\n".join(f"Annex line {number}" + "\n" * 60 for number in range(1, 497))  # one line a page
    content = build_pack([Document(filler, "ECO-25-SUB-0101"), Document(MINUTE, "ECO-25-MIN-0101")], watermark=False)
    assert len(PdfReader(io.BytesIO(content)).pages) >= 498

    pack = plan_pack("long.pdf", content)

    assert pack.can_save
    assert [decision.number for decision in pack.minutes[0].plan.parsed.decisions][-1] == "9"


def test_a_folder_imports_each_pack_in_its_own_transaction_and_ends_with_a_table(clerk, tmp_path):
    (tmp_path / "a-good.pdf").write_bytes(good_pack())
    (tmp_path / "b-minute.txt").write_bytes((SAMPLES / "CAB-26-MIN-0018.txt").read_bytes())
    (tmp_path / "c-truncated.pdf").write_bytes(good_pack()[:3000])
    (tmp_path / "d-paper-only.pdf").write_bytes(build_pack([Document(PAPER, "ECO-25-SUB-0102")]))
    (tmp_path / "e-garbage.txt").write_bytes(b"lorem ipsum")
    (tmp_path / "notes.docx").write_bytes(b"ignored: not a pack")

    out, err, error = run(str(tmp_path))

    assert error == "3 of 5 file(s) were not imported."
    assert sorted(Minute.objects.values_list("reference", flat=True)) == ["CAB-26-MIN-0018", "ECO-25-MIN-0101"]
    assert list(Paper.objects.values_list("reference", flat=True).order_by("reference")) == [
        "CAB-26-SUB-0018", "ECO-25-SUB-0101",
    ]
    table = out[out.index("file "):].splitlines()
    assert table[0].split("  ")[0] == "file".ljust(len(table[0].split("  ")[0]))
    assert [line.split()[1:3] for line in table[1:]] == [
        ["2", "ECO-25-MIN-0101"], ["2", "CAB-26-MIN-0018"], ["0", "—"], ["1", "—"], ["1", "—"],
    ]
    assert "c-truncated.pdf: not saved: The PDF is damaged" in err
    assert "d-paper-only.pdf: not saved: This is not a minute, nor a release pack holding one" in err


def test_a_zip_of_packs_is_read_member_by_member(clerk, tmp_path):
    archive = tmp_path / "packs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("release/eco.pdf", good_pack())
        zipped.writestr("release/readme.md", "not a pack")
        zipped.writestr("release/broken.pdf", b"%PDF-1.4 broken")

    out, err, error = run(str(archive))

    assert error == "1 of 2 file(s) were not imported."
    assert list(Minute.objects.values_list("reference", flat=True)) == ["ECO-25-MIN-0101"]
    assert f"{archive}:release/broken.pdf: not saved:" in err


def test_a_zip_bomb_is_refused_without_unpacking_it_into_memory(clerk, tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        with zipped.open("huge.txt", "w", force_zip64=True) as member:
            zero = bytes(16 * 1024 * 1024)
            for _ in range(10):  # 160 MB of zeros, about 160 KB packed: more than the 100 MB a pack may unpack to
                member.write(zero)
        zipped.writestr("eco.pdf", good_pack())
    assert archive.stat().st_size < 5 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux

    _, err, error = run(str(archive))

    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown < 500 * 1024  # well under 500 MB more than the test process already held
    assert "huge.txt: not saved: It unpacks to more than 100 MB: it was not read." in err
    assert error == "1 of 2 file(s) were not imported."
    assert list(Minute.objects.values_list("reference", flat=True)) == ["ECO-25-MIN-0101"]


def test_a_zip_that_would_unpack_beyond_the_total_cap_stops_there(clerk, tmp_path, monkeypatch):
    monkeypatch.setattr(packs, "MAX_ZIP_TOTAL_BYTES", len(good_pack()) + 10)
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for number in range(3):
            zipped.writestr(f"{number}.pdf", good_pack())

    names = [name for name, content in packs.iter_pack_files(archive) if not isinstance(content, Exception)]

    assert names == [f"{archive}:0.pdf"]


def test_dry_run_json_of_a_folder_prints_one_line_per_pack(clerk, tmp_path):
    (tmp_path / "a.pdf").write_bytes(good_pack())
    (tmp_path / "b.txt").write_bytes((SAMPLES / "CAB-26-MIN-0018.txt").read_bytes())

    out, _, error = run("--dry-run", "--json", str(tmp_path))

    assert error is None
    first, second = (json.loads(line) for line in out.splitlines())
    assert [document["document"] for document in first] == ["paper", "minute"]
    assert second["reference"] == "CAB-26-MIN-0018"  # a minute alone: its object, as before packs
