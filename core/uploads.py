"""Private uploads: check what a file really is, keep it out of the web root, and hand it back safely.

Any feature that accepts files from staff (chart documents, later support-ticket attachments) goes through here:

    checked = uploads.check_upload(request.FILES["file"])          # ValidationError with a specific message
    name = uploads.store(checked, folder=f"documents/{org.pk}")    # random name in STORAGES["private"]
    ...
    return uploads.file_response(name, content_type=..., filename=..., inline=True)

Guarantees:

- The type is decided by the file's first bytes (``puremagic``), never by its name or the browser's Content-Type.
  Only the kinds in :data:`KINDS` are accepted; anything else is refused with a message naming what it is.
- Files are stored under a random name in the ``private`` storage (``var/private/`` unless
  ``HEARTH_PRIVATE_STORAGE_DIR`` says otherwise), which is neither the static root nor served by WhiteNoise;
  :class:`PrivateFileSystemStorage` has no URLs at all, so the only way out is an access-checked view.
- The name people gave the file is cleaned (:func:`display_filename`) and kept for display and for the download's
  suggested name only.
- Sizes are limited per file (``HEARTH_UPLOAD_MAX_BYTES``) and per request: :class:`RequestSizeLimitMiddleware`
  answers an oversized request with a 413 page before anything reads its body, and :func:`asgi_body_limit` stops
  the ASGI server from spooling it to disk first.
"""

import asyncio
import base64
import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import puremagic
from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from audit.models import Outcome
from audit.services import record

SNIFF_BYTES = 8192
MAX_DISPLAY_NAME = 150


@dataclass(frozen=True)
class FileKind:
    """A file type Hearth accepts. ``inline``: browsers can show it themselves, so "Open" shows it in a tab."""

    content_type: str
    label: str
    extensions: tuple[str, ...]
    inline: bool


PDF = FileKind("application/pdf", "PDF", (".pdf",), inline=True)
PNG = FileKind("image/png", "PNG image", (".png",), inline=True)
JPEG = FileKind("image/jpeg", "JPEG image", (".jpg", ".jpeg"), inline=True)
WEBP = FileKind("image/webp", "WebP image", (".webp",), inline=True)
HEIC = FileKind("image/heic", "HEIC photo", (".heic", ".heif"), inline=False)  # most browsers can't display it
KINDS: tuple[FileKind, ...] = (PDF, PNG, JPEG, WEBP, HEIC)
_BY_DETECTED_TYPE = {kind.content_type: kind for kind in KINDS} | {"image/heif": HEIC}


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed :func:`check_upload`: its real kind, size, SHA-256 and a display-safe name."""

    file: UploadedFile
    kind: FileKind
    size: int
    sha256: str
    display_name: str


def max_upload_bytes() -> int:
    return settings.HEARTH_UPLOAD_MAX_BYTES


def max_request_bytes() -> int:
    """A request may carry one file at the limit plus ordinary form fields; anything bigger is refused unread."""
    return settings.HEARTH_UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def allowed_types_text(kinds: Sequence[FileKind] = KINDS) -> str:
    labels = [kind.label for kind in kinds]
    return ", ".join(labels[:-1]) + f" or {labels[-1]}" if len(labels) > 1 else labels[0]


def accept_attribute(kinds: Sequence[FileKind] = KINDS) -> str:
    """For ``<input type=file accept=…>``: a convenience for the file picker, never a check."""
    return ",".join([*(kind.content_type for kind in kinds), *(ext for kind in kinds for ext in kind.extensions)])


def detect_kind(head: bytes, kinds: Sequence[FileKind] = KINDS) -> tuple[FileKind | None, str]:
    """The accepted kind the bytes are, or ``None`` and a name for what they are instead ("" when unknown).

    Among puremagic's most confident matches, one must be an accepted type; a weaker match never wins over a
    stronger one. A refused file is named by its likeliest match that has a registered media type (the vaguest
    signatures, such as "ZoneAlarm data", have none).
    """
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None, ""
    best = max(match.confidence for match in matches)
    for match in matches:
        kind = _BY_DETECTED_TYPE.get(match.mime_type)
        if match.confidence == best and kind is not None and kind in kinds:
            return kind, kind.label
    named = next((match for match in matches if match.mime_type), matches[0])
    return None, named.name or named.mime_type or named.extension.lstrip(".").upper()


_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,4}")
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff<>:\"/\\|?*]")


def display_filename(name: str | None, kind: FileKind | None = None) -> str:
    """A file name safe to show and to suggest for a download; never used to store the file.

    Drops any folder part, control and direction-changing characters and characters Windows forbids, squeezes
    spaces, limits the length, and makes the extension match the real kind (a PNG named ``card.pdf`` downloads
    as ``card.png``, so the computer opens it with the right program).
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_CHARS.sub("", re.sub(r"\s", " ", name))
    name = re.sub(r" +", " ", name).strip(" .")
    stem, extension = os.path.splitext(name)
    if not _EXTENSION.fullmatch(extension):
        stem, extension = name, ""
    if kind is not None and extension.lower() not in kind.extensions:
        extension = kind.extensions[0]
    stem = stem[: MAX_DISPLAY_NAME - len(extension)].strip(" .") or "document"
    return f"{stem}{extension.lower()}"


def check_upload(
    upload: UploadedFile | None, *, kinds: Sequence[FileKind] = KINDS, max_bytes: int | None = None
) -> CheckedUpload:
    """Validate an uploaded file by size and by content; raise ``ValidationError`` with a message for people.

    Reads the whole file once (to hash it) and leaves it rewound for :func:`store`.
    """
    limit = max_bytes if max_bytes is not None else max_upload_bytes()
    if upload is None:
        raise ValidationError("Choose a file to upload.", code="required")
    if not upload.size:
        raise ValidationError("The file is empty. Check that it saved completely, then choose it again.", code="empty")
    if upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; files can be at most {filesizeformat(limit)}. "
            "Scan at a lower resolution or split the document.",
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    kind, found = detect_kind(head, kinds)
    if kind is None:
        what = f"its content is “{found}”" if found else "its content is not of a type Hearth recognises"
        raise ValidationError(
            f"This file can't be added: {what}, whatever its name says. Allowed types: {allowed_types_text(kinds)}.",
            code="file_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, kind, upload.size, digest.hexdigest(), display_filename(upload.name, kind))


def private_storage() -> Storage:
    return storages["private"]


def store(checked: CheckedUpload, *, folder: str) -> str:
    """Save the file under a random name in ``folder`` of the private storage; return the stored name."""
    if not re.fullmatch(r"[a-z0-9_-]+(/[a-z0-9_-]+)*", folder):
        raise ValueError(f"folder {folder!r} must be lower-case path segments without dots")
    checked.file.seek(0)
    return private_storage().save(f"{folder}/{secrets.token_hex(16)}", checked.file)


def discard(name: str) -> None:
    """Remove a stored file whose database row was never written (the transaction failed)."""
    private_storage().delete(name)


# Shown in a tab of its own: an opaque origin (no cookies, no access to Hearth's pages) and nothing loaded but the
# file. PDFs get ``allow-scripts`` because some built-in PDF viewers (Safari's) need script to draw the page; the
# sandbox still keeps them away from Hearth's origin.
INLINE_IMAGE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
INLINE_PDF_CSP = "sandbox allow-scripts; default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'"
ATTACHMENT_CSP = "sandbox; default-src 'none'"


def shows_inline(content_type: str) -> bool:
    """Whether browsers display this type themselves (so an "Open" link makes sense) rather than download it."""
    kind = _BY_DETECTED_TYPE.get(content_type)
    return kind is not None and kind.inline


def file_response(name: str, *, content_type: str, filename: str, inline: bool, sha256: str = "") -> FileResponse:
    """Stream a private file with the headers that keep it inert: exact type, no sniffing, sandbox, no caching.

    ``inline`` shows PDFs and images in the browser; everything else is always an attachment.
    """
    kind = _BY_DETECTED_TYPE.get(content_type)
    inline = inline and shows_inline(content_type)
    response = FileResponse(
        private_storage().open(name, "rb"), content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not inline:
        response["Content-Security-Policy"] = ATTACHMENT_CSP
    elif kind is PDF:
        response["Content-Security-Policy"] = INLINE_PDF_CSP
    else:
        response["Content-Security-Policy"] = INLINE_IMAGE_CSP
    response["Cache-Control"] = "no-store, private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    if sha256:
        response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode('ascii')}:"
    return response


def serve_stored_file(
    request: HttpRequest,
    row: Any,
    *,
    filename: str,
    inline: bool,
    missing: str,
    noun: str,
    client_id: int | None,
    **audit: Any,
) -> FileResponse:
    """``file_response`` for a row that keeps a checked upload (its ``stored_name``, ``content_type`` and
    ``sha256``): a chart document, a ticket's attachment.

    A file gone from storage is a 404, audited as ``missing`` (a failure, on the row and ``client_id``, with
    ``audit``'s other fields), so an operator can find what was lost.
    """
    try:
        return file_response(
            row.stored_name, content_type=row.content_type, filename=filename, inline=inline, sha256=row.sha256
        )
    except FileNotFoundError:
        record(missing, request=request, target=row, client_id=client_id, outcome=Outcome.FAILURE, **audit)
        raise Http404(f"The file of this {noun} is missing from storage.") from None


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk that have no URL: serving them is always a view's job, after its access check."""

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Private files have no URL; serve them with core.uploads.file_response.")


# --- Refusing oversized requests -----------------------------------------------------------------------------


def _declared_length(value: str | bytes | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    """Answer a request whose body is bigger than any upload may be with a 413 page, without reading the body.

    Runs before CSRF's check (which would parse the whole multipart body) and before any view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > max_request_bytes():
            return too_large_response(request, length)
        return self.get_response(request)


def too_large_response(request: HttpRequest, length: int) -> HttpResponse:
    from audit.models import Outcome
    from audit.services import record

    record(
        "security.upload_too_large",
        request=request,
        outcome=Outcome.DENIED,
        detail={"path": request.path[:200], "bytes": length},
    )
    context = {"limit": max_upload_bytes(), "size": length}
    response = render(request, "413.html", context, status=413)
    response["Connection"] = "close"
    return response


Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]


def asgi_body_limit(app: ASGIApp) -> ASGIApp:
    """Wrap the ASGI application so an oversized body is never read into a temporary file.

    Django's ASGI handler reads the whole body before any middleware runs. With a declared length over the limit
    the body is not read at all and :class:`RequestSizeLimitMiddleware` answers 413; a body without a declared
    length that grows past the limit is cut off with a plain 413.
    """

    async def guarded(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        limit = max_request_bytes()
        headers = dict(scope.get("headers") or [])
        declared = _declared_length(headers.get(b"content-length"))
        if declared is not None and declared > limit:
            handed_over = False

            async def empty_body() -> Message:
                # The body once, empty; after that nothing more arrives (Django waits here for a disconnect and
                # cancels the wait once its 413 is sent; the server then closes the connection, body unread).
                nonlocal handed_over
                if handed_over:
                    await asyncio.Event().wait()
                handed_over = True
                return {"type": "http.request", "body": b"", "more_body": False}

            return await app(scope, empty_body, send)

        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not refused:
                    refused = True
                    await _send_plain_413(send)
                    return {"type": "http.disconnect"}
            return message

        return await app(scope, counting_receive, send)

    return guarded


async def _send_plain_413(send: Send) -> None:
    body = b"This upload is too large. Nothing was saved.\n"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- Configuration check -------------------------------------------------------------------------------------


def check_private_storage(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The private storage must never sit where static files are collected or served from."""
    storage = private_storage()
    if not isinstance(storage, FileSystemStorage):
        return []  # in memory (tests) or a remote bucket: nothing a web server could serve by path
    private = Path(storage.location).resolve()
    public = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    public += [Path(entry if isinstance(entry, str | Path) else entry[1]) for entry in settings.STATICFILES_DIRS]
    if settings.MEDIA_ROOT:
        public.append(Path(settings.MEDIA_ROOT))
    errors: list[checks.CheckMessage] = []
    for root in public:
        root = root.resolve()
        if private == root or root in private.parents or private in root.parents:
            errors.append(
                checks.Error(
                    f"Private uploads ({private}) overlap a public directory ({root}).",
                    hint="Point HEARTH_PRIVATE_STORAGE_DIR outside STATIC_ROOT, STATICFILES_DIRS and MEDIA_ROOT.",
                    id="hearth.E001",
                )
            )
    return errors
