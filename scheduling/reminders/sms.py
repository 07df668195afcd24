"""Text messages through a pluggable provider, chosen by the ``HEARTH_SMS_BACKEND`` setting (a dotted path).

A provider is a class whose instances have ``send(to, body)``; it raises :class:`SmsError` when the message was
not accepted, so the caller can retry. Two ship with Hearth: ``ConsoleSmsBackend`` (development: logs the message
with the number masked) and ``LocmemSmsBackend`` (tests: keeps messages in ``outbox``, like Django's mail
outbox). A real provider (Twilio, Vonage, …) is a small class of the same shape in a deployment's own module.
"""

import logging
import re
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider did not accept the message."""


class SmsBackend(Protocol):
    def send(self, to: str, body: str) -> None: ...


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


def mask(number: str) -> str:
    """Only the last two digits: enough to tell messages apart in a log, not to identify anyone."""
    digits = re.sub(r"\D", "", number)
    return f"…{digits[-2:]}" if len(digits) >= 2 else "…"


def to_e164(phone: str) -> str | None:
    """A number a provider can text: +<digits>; a 10-digit (or 1 + 10-digit) number is taken as North American.
    None when the number can't be read as one (an extension, too few digits)."""
    raw = phone.strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") and 8 <= len(digits) <= 15:
        return f"+{digits}"
    if len(digits) == 10 and digits[0] not in "01":
        return f"+1{digits}"
    if len(digits) == 11 and digits[0] == "1" and digits[1] not in "01":
        return f"+{digits}"
    return None


class ConsoleSmsBackend:
    """Development: writes the message to the log. The body is what the client would receive (no more); the
    number is masked."""

    def send(self, to: str, body: str) -> None:
        logger.info("SMS to %s: %s", mask(to), body)


outbox: list[SmsMessage] = []


class LocmemSmsBackend:
    """Tests: appends to ``scheduling.sms.outbox``."""

    def send(self, to: str, body: str) -> None:
        outbox.append(SmsMessage(to, body))


def get_backend() -> SmsBackend:
    path = settings.HEARTH_SMS_BACKEND
    try:
        backend_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"HEARTH_SMS_BACKEND: cannot import {path!r} ({error})") from error
    backend = backend_class()
    if not callable(getattr(backend, "send", None)):
        raise ImproperlyConfigured(f"HEARTH_SMS_BACKEND: {path!r} has no send(to, body) method")
    return backend


def send_sms(to: str, body: str) -> None:
    get_backend().send(to, body)
