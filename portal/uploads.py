"""Evidence files: one set of rules for every capability that takes uploads (supplier
questionnaires, corrective action plans, engagement activities).

- at most ``UPLOAD_MAX_BYTES`` per file;
- the type comes from the first bytes (PDF, JPEG, PNG), never from the name or the browser,
  and the name's extension must agree with it;
- photos lose their metadata before they are stored (``without_metadata``): a phone's EXIF
  holds where it was taken, the device and its serial number, and the second it was taken;
- stored under ``instance/uploads`` with a random name, mode 0600; the original name is kept
  only for display and download;
- served only by a view that has checked who may see the row (``send``), always as a download.

A capability keeps its own table of attachments (what each file belongs to) and gives it the
columns of :class:`StoredFileMixin`.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from werkzeug.utils import secure_filename

from portal.db import utcnow

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
#: Magic numbers: the type comes from the first bytes, never from the name or the browser.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".png": "image/png"}  # fmt: skip
CONTENT_TYPES = tuple(dict.fromkeys(kind for _magic, kind in SIGNATURES))
#: For check constraints: ``content_type IN (...)``.
CONTENT_TYPES_SQL = ", ".join(f"'{kind}'" for kind in CONTENT_TYPES)

#: What a person is told when a file is refused, by ``UploadRejected.code``.
UPLOAD_ERRORS = {
    "too_large": _l("The file is larger than 10 MB."),
    "empty": _l("The file is empty."),
    "type": _l("Only PDF, JPEG or PNG files can be attached."),
    "mismatch": _l("The file's content does not match its name. Check that it is really a PDF, "
                   "JPEG or PNG file."),
    "unreadable": _l("The picture could not be read. Take it again, or attach it as a PDF."),
}  # fmt: skip
#: Pictures beyond this many pixels are refused unread (a small file can unpack to gigabytes).
MAX_PIXELS = 60_000_000


class UploadRejected(ValueError):
    """``too_large``, ``empty``, ``type`` (not PDF/JPEG/PNG), ``mismatch`` (name lies) or
    ``unreadable`` (a picture that does not decode)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(UPLOAD_ERRORS[self.code])


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def uploads_folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_upload(stream, limit: int = UPLOAD_MAX_BYTES) -> bytes:
    """Read at most ``limit`` bytes; one more means the file is too large."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected("too_large")
    if not data:
        raise UploadRejected("empty")
    return data


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """(clean file name, content type) or UploadRejected."""
    kind = sniff(data[:16])
    if kind is None:
        raise UploadRejected("type")
    clean = secure_filename(filename or "") or "evidence"
    suffix = Path(clean).suffix.lower()
    if suffix not in EXTENSIONS:
        raise UploadRejected("type")
    if EXTENSIONS[suffix] != kind:
        raise UploadRejected("mismatch")
    # Cap the length but keep the extension, so the download still opens as what it is.
    stem, ending = clean[: -len(suffix)], clean[-len(suffix) :]
    return stem[: 200 - len(ending)] + ending, kind


@dataclass(frozen=True)
class StoredFile:
    """What ``store`` wrote: the columns of a ``StoredFileMixin`` row."""

    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str

    def columns(self) -> dict:
        return {
            "filename": self.filename,
            "stored_name": self.stored_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def without_metadata(data: bytes, kind: str) -> bytes:
    """A JPEG or PNG written again from its pixels alone: no EXIF (GPS position, device make,
    model and serial, time to the second), XMP, IPTC, comments or text chunks. The rotation
    the EXIF asked for is applied to the pixels first, so the photo still stands upright; the
    colour profile is kept. A JPEG that needs no rotation keeps its own quantisation tables
    (no second loss of quality). Other types pass unchanged."""
    if kind not in ("image/jpeg", "image/png"):
        return data
    from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UploadRejected("unreadable")
            image.load()
            turned = image.getexif().get(ExifTags.Base.Orientation, 1) in range(2, 9)
            upright = ImageOps.exif_transpose(image) if turned else image
            keep = {"icc_profile": image.info["icc_profile"]} if "icc_profile" in image.info else {}
            out = io.BytesIO()
            if kind == "image/png":
                upright.save(out, "PNG", **keep)
            else:  # Pillow would copy a JPEG's comment over unless told otherwise
                keep |= {"comment": b"", "exif": b""}
                if turned:
                    upright.convert("RGB").save(out, "JPEG", quality=92, **keep)
                else:
                    image.save(out, "JPEG", quality="keep", subsampling="keep", **keep)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise UploadRejected("unreadable") from error
    return out.getvalue()


def store(filename: str, data: bytes) -> StoredFile:
    """Check ``data``, strip a photo's metadata and write it under a fresh random name (never
    overwriting a file). Size and checksum are those of what is stored."""
    clean, kind = check_upload(filename, data)
    data = without_metadata(data, kind)
    stored_name = secrets.token_hex(16)
    fd = os.open(uploads_folder() / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return StoredFile(clean, stored_name, kind, len(data), hashlib.sha256(data).hexdigest())


def remove(stored_name: str) -> None:
    (uploads_folder() / stored_name).unlink(missing_ok=True)


def path_of(row) -> Path:
    return uploads_folder() / row.stored_name


def send(row):
    """The file of a ``StoredFileMixin`` row as a download. The caller has already checked
    that the signed-in user may see the row (and answered 404 otherwise)."""
    path = path_of(row)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True,
                     download_name=row.filename, max_age=0)  # fmt: skip


class StoredFileMixin:
    """The columns every attachment table has, whatever it belongs to."""

    #: The uploaded file's name, cleaned, for display and download.
    filename: Mapped[str] = mapped_column(String(255))
    #: Random file name under instance/uploads.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    #: Checked from the content: application/pdf, image/jpeg or image/png.
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @declared_attr
    def uploaded_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
