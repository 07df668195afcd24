"""The README's account of where `make run` sends mail and text messages matches the settings it runs with."""

import importlib
import logging
from pathlib import Path

from django.conf import settings

from scheduling.reminders import sms

README = (Path(settings.BASE_DIR) / "README.md").read_text()


def test_readme_names_the_development_mail_and_text_backends_the_settings_default_to(monkeypatch):
    for name in ("HEARTH_EMAIL_BACKEND", "HEARTH_SMS_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    defaults = importlib.reload(importlib.import_module("hearth.settings"))
    assert defaults.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    assert defaults.HEARTH_SMS_BACKEND == "scheduling.reminders.sms.ConsoleSmsBackend"
    section = README[README.index("## Email and text messages under `make run`") :]
    assert f"`{defaults.EMAIL_BACKEND}`" in section
    assert f"`{defaults.HEARTH_SMS_BACKEND}`" in section


def test_console_text_messages_reach_the_terminal_masked(caplog):
    """The root logger's console handler (INFO) prints what ``ConsoleSmsBackend`` logs, as the README says."""
    logger = logging.getLogger(sms.__name__)
    assert logger.getEffectiveLevel() <= logging.INFO
    with caplog.at_level(logging.INFO, logger=sms.__name__):
        sms.ConsoleSmsBackend().send("+15550104477", "Reminder: your appointment")
    assert "SMS to …77: Reminder: your appointment" in caplog.text
    assert "4477" not in caplog.text.replace("…77", "")
