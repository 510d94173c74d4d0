"""Logging for operators: text for development, JSON lines in production, no personal data.

`JALUR_AMAN_LOG_FORMAT=json` makes every log record one JSON object with the time, level,
logger, message and the id of the HTTP request it belongs to (`X-Request-Id`, taken from a
proxy when well-formed, else generated, and echoed on the response). Personal data is kept
out by construction (message text is never logged; users appear as `user_ref`, a keyed hash)
and, as a safety net, long digit runs that look like phone numbers are masked in every line.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import logging
import re
import secrets
import sys
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_PHONE = re.compile(r"(?<![0-9A-Za-z])\+?\d[\d .-]{6,}\d(?![0-9A-Za-z])")
# Dates and times are not phone numbers: "2026-12-05 20:29:27,041" stays readable.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}(:\d{2}(:\d{2})?)?)?$")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
_key: list[bytes] = [secrets.token_bytes(32)]


def _mask_one(match: re.Match[str]) -> str:
    found = match.group()
    if sum(c.isdigit() for c in found) < 8 or _TIMESTAMP.match(found.strip()):
        return found
    return "[masked]"


def mask(text: str) -> str:
    """Mask phone-number-like digit runs (8+ digits with separators) in a log line;
    dates and times are left alone."""
    return _PHONE.sub(_mask_one, text)


def set_user_key(key: bytes) -> None:
    """Key of `user_ref` (the SECRET_KEY, so every worker hashes a user the same way)."""
    _key[0] = key


def user_ref(channel: str, external_id: str) -> str:
    """A stable pseudonym for a user in logs: HMAC of channel and id, never the id itself
    (a plain hash of a phone number is reversible by trying all numbers)."""
    mac = hmac.new(_key[0], f"{channel}:{external_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:16]


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record; `extra={...}` fields are included as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask(record.getMessage()),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = mask(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exc"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Masks the message and any traceback, never the timestamp prefix."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = mask(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return mask(super().formatException(ei))


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Install one stderr handler with the chosen format (json | text) on the root logger."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
