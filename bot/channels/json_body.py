"""Reading untrusted JSON bodies (web chat, Telegram and WhatsApp webhooks) safely.

`loads` refuses bodies nested deeper than MAX_DEPTH (json.loads would recurse until a
RecursionError, and deep structures later break serialisation), undecodable bytes,
invalid JSON and the non-standard numbers NaN, Infinity and overflowing floats (Python
reads them, PostgreSQL's json type refuses them) with BadJson. `clean` makes every string
storable: NUL characters (which PostgreSQL text refuses) are dropped and lone surrogates
(which no database encodes) become U+FFFD.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadJson(ValueError):
    """The body is not JSON this server accepts."""


def depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return raw.count(b"[") + raw.count(b"{")  # an upper bound, cheap and enough
    deepest = level = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            level += 1
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
        elif byte in (0x5D, 0x7D):
            level -= 1
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number too large for JSON")
    return value


# built once: json.loads with options builds a new decoder (and its scanner) every call
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def loads(raw: bytes) -> Any:
    if depth(raw) > MAX_DEPTH:
        raise BadJson("too_deep")
    try:  # bytes decoded as json.loads decodes them (UTF-8, or UTF-16/32 by their BOM)
        return _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadJson("invalid_json") from exc


def clean_text(text: str, *, keep_nul: bool = False) -> str:
    """Lone surrogates -> U+FFFD; NUL dropped unless `keep_nul` (the engine answers a text
    with NUL as unreadable, so the web chat keeps it for the engine to see)."""
    return _SURROGATE.sub("\ufffd", text if keep_nul else text.replace("\x00", ""))


def clean(value: Any) -> Any:
    """`value` with every string (keys too) made storable."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value
