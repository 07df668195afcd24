import logging


class ClientErrorFormatter(logging.Formatter):
    """One line, no traceback, for a request refused with a 4xx (a forged host, a malformed body).

    Django logs these ``SuspiciousOperation`` refusals with the exception attached, so each one would print a
    traceback although nothing in the server failed. Other records (the audit log's alarms) keep theirs.
    """

    def format(self, record: logging.LogRecord) -> str:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and record.exc_info:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)
