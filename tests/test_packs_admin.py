"""The admin import page with several files: a preview of every document of every pack, each pack saved whole."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cabinet.models import Minute, Paper
from tests.pdfpacks import Document, build_pack, sample_text

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
COVER = sample_text(SAMPLES / "packs" / "invented-ECO-25-MIN-0101-coversheet.txt")
PAPER = sample_text(SAMPLES / "packs" / "invented-ECO-25-SUB-0101-paper.txt")
MINUTE = sample_text(SAMPLES / "invented-ECO-25-MIN-0101.txt")


def uploads():
    pack = build_pack([Document(COVER), Document(PAPER, "ECO-25-SUB-0101"), Document(MINUTE, "ECO-25-MIN-0101", scanned_pages=1)])
    return [
        SimpleUploadedFile("eco-pack.pdf", pack, content_type="application/pdf"),
        SimpleUploadedFile("CAB-26-MIN-0018.txt", (SAMPLES / "CAB-26-MIN-0018.txt").read_bytes(), content_type="text/plain"),
    ]


def test_several_files_are_previewed_document_by_document_then_saved_each_whole(clerk, client):
    client.force_login(clerk)
    url = reverse("admin:cabinet_minute_import")

    preview = client.post(url, {"file": uploads(), "stage": "preview"})

    content = preview.content.decode()
    assert "eco-pack.pdf: 3 documents" in content and "CAB-26-MIN-0018.txt: 2 documents" in content
    assert "Paper (pages 2–3): ECO-25-SUB-0101" in content
    assert "Page 6 has no text layer (scanned images)" in content
    assert "Preview: ECO-25-MIN-0101" in content and "Preview: CAB-26-MIN-0018" in content
    assert not Minute.objects.exists()
    packs = preview.context["form"]["packs"].value()
    assert len(packs.split()) == 2  # both packs carried to the confirm step, nothing to upload again

    saved = client.post(url, {"packs": packs, "stage": "confirm"})

    assert saved.status_code == 302 and saved["Location"] == reverse("admin:cabinet_minute_import")
    assert sorted(Minute.objects.values_list("reference", flat=True)) == ["CAB-26-MIN-0018", "ECO-25-MIN-0101"]
    assert Minute.objects.get(reference="ECO-25-MIN-0101").paper == Paper.objects.get(reference="ECO-25-SUB-0101")


def test_a_tampered_pack_is_refused_and_nothing_is_saved(clerk, client):
    client.force_login(clerk)
    url = reverse("admin:cabinet_minute_import")
    packs = client.post(url, {"file": uploads(), "stage": "preview"}).context["form"]["packs"].value()

    response = client.post(url, {"packs": packs.replace("a", "b", 1) + "x", "stage": "confirm"})

    assert "could not be read back: upload it again" in response.content.decode()
    assert not Minute.objects.exists()


def test_a_pack_without_a_minute_is_refused_beside_one_that_saves(clerk, client):
    client.force_login(clerk)
    no_minute = SimpleUploadedFile("paper-only.pdf", build_pack([Document(PAPER, "ECO-25-SUB-0101")]))
    minute = SimpleUploadedFile("CAB-26-MIN-0018.txt", (SAMPLES / "CAB-26-MIN-0018.txt").read_bytes())
    url = reverse("admin:cabinet_minute_import")
    packs = client.post(url, {"file": [no_minute, minute], "stage": "preview"}).context["form"]["packs"].value()

    response = client.post(url, {"packs": packs, "stage": "confirm"})

    content = response.content.decode()
    assert "This is not a minute, nor a release pack holding one (found: paper (pages 1–2))." in content
    assert "Saved: CAB-26-MIN-0018." in content
    assert list(Minute.objects.values_list("reference", flat=True)) == ["CAB-26-MIN-0018"]
    assert not Paper.objects.filter(reference="ECO-25-SUB-0101").exists()
