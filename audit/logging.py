import logging


class SecurityAuditHandler(logging.Handler):
    """Turn Django's security log records (forged host, CSRF failure, oversize body…) into audit events.

    Django reports these by logging to ``django.security.*`` with the request attached; this is its documented
    hook. A failure here must never break the response, so errors are swallowed after being reported.
    """

    def emit(self, record: logging.LogRecord) -> None:
        request = getattr(record, "request", None)
        if request is None:
            return
        try:
            from audit.models import Outcome
            from audit.services import record as audit_record

            kind = record.name.removeprefix("django.security.")
            audit_record(
                f"security.{kind}",
                request=request,
                outcome=Outcome.DENIED,
                detail={"path": request.path[:200], "status": getattr(record, "status_code", None)},
            )
        except Exception:  # logging must never raise into the request
            self.handleError(record)


# The audit log's own alarms (tampering found, events left unsealed, checkpoints not written) go where Django's
# security warnings go, at ERROR: a monitored stream, and never PHI.
integrity_log = logging.getLogger("django.security.audit")
