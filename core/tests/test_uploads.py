"""core.uploads: real-type checks, safe names, private storage, inert download responses, size limits."""

import asyncio
import hashlib
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads
from core.tests.files import (
    HTML_PAGE,
    WINDOWS_PROGRAM,
    ZIP_ARCHIVE,
    heic_bytes,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    webp_bytes,
)

ALLOWED = "Allowed types: PDF, PNG image, JPEG image, WebP image or HEIC photo."


def _file(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "kind", "shown_as"),
    [
        ("Intake packet.pdf", pdf_bytes(), uploads.PDF, "Intake packet.pdf"),
        ("card-front.PNG", png_bytes(), uploads.PNG, "card-front.png"),
        ("license.jpeg", jpeg_bytes(), uploads.JPEG, "license.jpeg"),
        ("no extension", pdf_bytes(), uploads.PDF, "no extension.pdf"),
        ("photo.pdf", png_bytes(), uploads.PNG, "photo.png"),
        ("card.webp", webp_bytes(), uploads.WEBP, "card.webp"),
        ("IMG_0042.HEIC", heic_bytes(), uploads.HEIC, "IMG_0042.heic"),
    ],
)
def test_files_are_accepted_by_what_they_contain(name, content, kind, shown_as):
    # The browser's claim (octet-stream here) and the extension play no part.
    checked = uploads.check_upload(_file(name, content))
    assert checked.kind is kind
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.display_name == shown_as
    assert checked.file.tell() == 0, "left rewound for storing"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "found"),
    [
        ("referral.pdf", WINDOWS_PROGRAM, "application/pdf", "Windows Executable"),
        ("insurance-card.png", HTML_PAGE, "image/png", "HTML"),
        ("scan.jpg", ZIP_ARCHIVE, "image/jpeg", "Office Open XML"),
        (
            "notes.pdf",
            b"just some plain text, not a PDF at all\n",
            "application/pdf",
            "not of a type Hearth recognises",
        ),
    ],
)
def test_a_renamed_file_of_another_type_is_refused_naming_what_it_is(name, content, content_type, found):
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(_file(name, content, content_type))
    message = refused.value.messages[0]
    assert refused.value.code == "file_type"
    assert found in message
    assert message.endswith(ALLOWED)


def test_a_file_over_the_limit_is_refused_with_both_sizes(settings):
    settings.HEARTH_UPLOAD_MAX_BYTES = 2048
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(_file("big.pdf", pdf_bytes(padding=4000)))
    assert refused.value.code == "too_large"
    assert "at most 2.0\xa0KB" in refused.value.messages[0]
    assert uploads.check_upload(_file("small.pdf", pdf_bytes())).kind is uploads.PDF


def test_an_empty_file_or_none_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        uploads.check_upload(_file("empty.pdf", b""))
    with pytest.raises(ValidationError, match="Choose a file"):
        uploads.check_upload(None)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\dana\\Scans\\Referral.PDF", "Referral.pdf"),
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),
        ("tab\tand\nnewline.pdf", "tab and newline.pdf"),
        ('what?<script>"x".pdf', "whatscriptx.pdf"),
        ("...", "document.pdf"),
        ("", "document.pdf"),
        ("scan 2026.03.02", "scan 2026.03.02.pdf"),
        ("a" * 400 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_display_names_are_cleaned(given, expected):
    assert uploads.display_filename(given, uploads.PDF) == expected


def test_files_are_stored_under_random_names_in_the_private_storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "core.uploads.PrivateFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    content = pdf_bytes()
    first = uploads.store(uploads.check_upload(_file("Jordan Rivers intake.pdf", content)), folder="documents/7")
    second = uploads.store(uploads.check_upload(_file("Jordan Rivers intake.pdf", content)), folder="documents/7")
    assert first != second
    for name in (first, second):
        assert name.startswith("documents/7/")
        assert "Jordan" not in name and "intake" not in name and not name.endswith(".pdf")
        assert (tmp_path / name).read_bytes() == content
    with pytest.raises(NotImplementedError):
        uploads.private_storage().url(first)
    uploads.discard(first)
    assert not (tmp_path / first).exists()
    with pytest.raises(ValueError):
        uploads.store(uploads.check_upload(_file("x.pdf", content)), folder="../static")


def _stored(content: bytes) -> str:
    return uploads.store(uploads.check_upload(_file("f", content)), folder="tests")


def test_inline_responses_are_sandboxed_typed_and_never_cached():
    name = _stored(pdf_bytes())
    response = uploads.file_response(
        name, content_type="application/pdf", filename="Intake packet.pdf", inline=True, sha256="ab" * 32
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="Intake packet.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox allow-scripts;")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store, private"
    assert response["Repr-Digest"].startswith("sha-256=:")
    assert b"".join(response.streaming_content) == pdf_bytes()

    image = uploads.file_response(_stored(png_bytes()), content_type="image/png", filename="card.png", inline=True)
    assert image["Content-Security-Policy"].startswith("sandbox;")
    assert image["Content-Disposition"].startswith("inline;")


def test_downloads_and_types_browsers_cannot_show_are_attachments():
    name = _stored(pdf_bytes())
    download = uploads.file_response(name, content_type="application/pdf", filename="Ré sumé.pdf", inline=False)
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''R%C3%A9%20sum%C3%A9.pdf" in download["Content-Disposition"]
    assert download["Content-Security-Policy"] == uploads.ATTACHMENT_CSP
    heic = uploads.file_response(name, content_type="image/heic", filename="photo.heic", inline=True)
    assert heic["Content-Disposition"].startswith("attachment;")
    assert not uploads.shows_inline("image/heic") and uploads.shows_inline("image/webp")


def test_the_production_settings_keep_private_files_outside_every_public_directory():
    from hearth import settings as production

    options = production.STORAGES["private"]
    private = Path(options["OPTIONS"]["location"]).resolve()
    assert options["BACKEND"] == "core.uploads.PrivateFileSystemStorage"
    for public in (production.STATIC_ROOT, *production.STATICFILES_DIRS):
        public = Path(public).resolve()
        assert public not in private.parents and private not in public.parents and public != private
    assert "core.uploads.RequestSizeLimitMiddleware" in production.MIDDLEWARE


def test_the_system_check_refuses_private_storage_under_the_static_root(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "core.uploads.PrivateFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    errors = uploads.check_private_storage()
    assert [error.id for error in errors] == ["hearth.E001"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.uploads.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    assert uploads.check_private_storage() == []
    assert isinstance(uploads.private_storage(), FileSystemStorage)


# --- The ASGI server never reads an oversized body -----------------------------------------------------------


def _run_asgi(scope: dict, chunks: list[bytes]) -> tuple[list[dict], int]:
    """Drive hearth.asgi.application with ``chunks`` as the body; return what it sent and how many chunks it read."""
    from hearth.asgi import application

    sent: list[dict] = []
    read = 0

    async def receive():
        nonlocal read
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}
        await asyncio.sleep(30)
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    # A thread of its own: Playwright's sync API may already run an event loop on this one.
    failures: list[BaseException] = []

    def serve():
        try:
            asyncio.run(asyncio.wait_for(application(scope, receive, send), timeout=20))
        except BaseException as error:
            failures.append(error)

    worker = threading.Thread(target=serve)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
    return sent, read


def _scope(org, headers: list[tuple[bytes, bytes]]) -> dict:
    host = f"{org.slug}.{settings.HEARTH_BASE_DOMAIN}".encode()
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/clients/1/documents/new/",
        "raw_path": b"/clients/1/documents/new/",
        "query_string": b"",
        "headers": [(b"host", host), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


@pytest.fixture
def small_limits(settings):
    settings.HEARTH_UPLOAD_MAX_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000


def test_a_declared_oversized_body_gets_the_413_page_without_being_read(transactional_db, org, small_limits):
    from audit.models import AuditEvent

    scope = _scope(org, [(b"content-length", b"50000000"), (b"content-type", b"multipart/form-data; boundary=x")])
    sent, read = _run_asgi(scope, [b"x" * 10_000] * 5000)
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    assert start["status"] == 413
    assert b"That upload is too large" in body
    assert read == 0, "not one chunk of the body was read"
    assert AuditEvent.objects.filter(action="security.upload_too_large", organization=org).exists()


def test_an_undeclared_body_is_cut_off_once_it_passes_the_limit(transactional_db, org, small_limits):
    scope = _scope(org, [(b"transfer-encoding", b"chunked"), (b"content-type", b"multipart/form-data; boundary=x")])
    sent, read = _run_asgi(scope, [b"x" * 1500] * 100)
    statuses = [message["status"] for message in sent if message["type"] == "http.response.start"]
    assert statuses == [413]
    assert read == 2, "reading stopped at the first chunk over the limit"
