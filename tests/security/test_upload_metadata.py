"""Photos lose their metadata before they are stored (portal.uploads.without_metadata): the
GPS position, device make, model and serial number and the time a phone writes into every
picture it takes, for every capability that takes evidence (one store for all of them)."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
from PIL import ExifTags, Image, PngImagePlugin
from sqlalchemy import select

from portal import uploads
from portal.extensions import db
from portal.surveys.models import Evidence

SERIAL = "SN-4471-LOCATOR"


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model 7"
    exif[ExifTags.Base.BodySerialNumber] = SERIAL
    exif[ExifTags.Base.DateTime] = "2026:12:01 06:42:17"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (23.0, 48.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (90.0, 24.0, 12.0)
    return exif


def photo(orientation: int = 1, size=(64, 32)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    out = BytesIO()
    image.save(out, "JPEG", quality=90, exif=_exif(orientation), comment=b"taken at dorm B")
    return out.getvalue()


def screenshot_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Worker")
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SERIAL}</x:xmpmeta>")
    out = BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, "PNG", pnginfo=info, exif=_exif())
    return out.getvalue()


def _no_metadata(data: bytes) -> None:
    for trace in (SERIAL.encode(), b"PhoneMaker", b"2026:12:01", b"dorm B", b"Jane", b"Exif"):
        assert trace not in data, trace
    with Image.open(BytesIO(data)) as image:
        assert not image.getexif()
        assert "comment" not in image.info and "Author" not in image.info


def test_the_photos_made_here_carry_what_a_phone_writes():
    """The fixtures are real: without stripping, the traces are there."""
    for data in (photo(), screenshot_png()):
        assert SERIAL.encode() in data
        with Image.open(BytesIO(data)) as image:
            assert image.getexif()


def test_a_jpeg_keeps_its_pixels_and_loses_gps_device_time_and_comment(app):
    original = photo()
    stripped = uploads.without_metadata(original, "image/jpeg")
    _no_metadata(stripped)
    with Image.open(BytesIO(original)) as before, Image.open(BytesIO(stripped)) as after:
        assert after.size == before.size
        # Quality kept ("keep" reuses the quantisation tables): on average within rounding.
        pairs = list(zip(before.tobytes(), after.tobytes(), strict=True))
        assert sum(abs(a - b) for a, b in pairs) / len(pairs) < 2


def test_a_turned_photo_is_stored_upright():
    stripped = uploads.without_metadata(photo(orientation=6, size=(64, 32)), "image/jpeg")
    _no_metadata(stripped)
    with Image.open(BytesIO(stripped)) as image:
        assert image.size == (32, 64)  # turned 90°: the blue half is now on top
        top, bottom = image.getpixel((16, 4)), image.getpixel((16, 60))
        assert top[2] > top[0] and bottom[0] > bottom[2]


def test_a_png_loses_its_text_chunks_and_exif():
    _no_metadata(uploads.without_metadata(screenshot_png(), "image/png"))


def test_a_pdf_passes_unchanged():
    data = b"%PDF-1.4\n%%EOF\n"
    assert uploads.without_metadata(data, "application/pdf") is data


def test_evidence_is_stored_and_served_without_metadata(app, client, section):
    response = client.post(section, data={"policy": (BytesIO(photo()), "dorm.jpg")})
    assert response.status_code == 302
    with app.app_context():
        evidence = db.session.scalar(select(Evidence))
        stored = (Path(app.instance_path) / "uploads" / evidence.stored_name).read_bytes()
        assert evidence.size == len(stored)
        assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
        assert evidence.content_type == "image/jpeg"
    _no_metadata(stored)
    assert client.get(f"/saq/evidence/{evidence.id}").data == stored


def _bomb() -> bytes:
    out = BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 million pixels in a few kilobytes
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name"),
    [(photo()[:200], "cut.jpg"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "fake.png"),
     (_bomb(), "bomb.png")],
)  # fmt: skip
def test_a_picture_that_does_not_decode_is_refused_and_nothing_is_kept(
    app, client, section, content, name
):
    before = {path for path in Path(app.instance_path).rglob("*") if path.is_file()}
    response = client.post(section + "?lang=en", data={"policy": (BytesIO(content), name)})
    assert response.status_code == 400
    assert "The picture could not be read." in response.get_data(as_text=True)
    assert {path for path in Path(app.instance_path).rglob("*") if path.is_file()} == before
    with app.app_context():
        assert db.session.scalar(select(Evidence)) is None
