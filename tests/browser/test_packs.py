"""The admin import page in a browser: two files chosen in one file input, previewed, then saved, checked with axe."""

import re
from pathlib import Path

from playwright.sync_api import expect

from cabinet.models import Minute
from tests.factories import make_user
from tests.pdfpacks import Document, build_pack, sample_text

SAMPLES = Path(__file__).parent.parent / "samples"


def test_a_clerk_uploads_a_pack_and_a_minute_previews_them_and_saves_both(page, axe, log_in, tmp_path):
    clerk = make_user("clerk", is_superuser=True)
    pack = tmp_path / "eco-pack.pdf"
    pack.write_bytes(build_pack([
        Document(sample_text(SAMPLES / "packs" / "invented-ECO-25-MIN-0101-coversheet.txt")),
        Document(sample_text(SAMPLES / "packs" / "invented-ECO-25-SUB-0101-paper.txt"), "ECO-25-SUB-0101"),
        Document(sample_text(SAMPLES / "invented-ECO-25-MIN-0101.txt"), "ECO-25-MIN-0101", scanned_pages=1),
    ]))
    log_in(page.context, clerk)
    page.goto("/admin/cabinet/minute/import/")
    axe(page)

    page.get_by_label("Or upload .txt or .pdf files").set_input_files([str(pack), str(SAMPLES / "CAB-26-MIN-0018.txt")])
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="eco-pack.pdf: 3 documents")).to_be_visible()
    expect(page.get_by_role("heading", name="Paper (pages 2–3): ECO-25-SUB-0101")).to_be_visible()
    expect(page.get_by_text("Page 6 has no text layer (scanned images)")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Save every pack that can be saved").click()

    expect(page).to_have_url(re.compile(r"/admin/cabinet/minute/import/$"))
    expect(page.get_by_text("Imported with their decision items and follow-ups: ECO-25-MIN-0101, CAB-26-MIN-0018.")).to_be_visible()
    axe(page)
    assert sorted(Minute.objects.values_list("reference", flat=True)) == ["CAB-26-MIN-0018", "ECO-25-MIN-0101"]
