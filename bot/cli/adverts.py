"""`jalur-aman ads check [--json] [FILE|-]`: the job-advert checker (DESIGN.md, "Job adverts").

With --json each input line is {"text": T} or {"image": PATH} and each output line the
check's JSON, in order (a blank line is skipped; a line that cannot be checked gets
{"error": REASON, "detail": ...} instead). Without --json FILE (or stdin) is one advert:
its text, or a picture read by OCR. Heavy modules are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.adverts.service import AdvertChecker
    from bot.core.agencies.matching import Register

MAX_FILE_BYTES = 10 * 1024 * 1024
_REASONS = {
    "empty": "Teksnya kosong.", "too_long": "Teksnya terlalu panjang untuk satu lowongan.",
    "no_words": "Tidak ada kata yang bisa dibaca.", "not_picture": "File ini bukan gambar.",
    "not_text": "File ini bukan teks atau gambar.",
    "too_large": "Gambarnya terlalu besar.", "unreadable": "Tulisan di gambar tidak terbaca.",
    "bad_line": "Baris ini bukan {\"text\": ...} atau {\"image\": ...}.",
    "missing_file": "File gambar tidak ada.",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("ads", help="job adverts: check a text or a picture")
    asub = parser.add_subparsers(dest="ads_command", required=True)
    check = asub.add_parser("check", help="check a job advert for warning signs")
    check.add_argument("file", nargs="?", default="-",
                       help='advert text or picture file; "-" (default) reads stdin')
    check.add_argument("--json", action="store_true",
                       help='one {"text"} or {"image"} JSON object per input line')
    check.set_defaults(handler=_check)


def _load() -> tuple[AdvertChecker, Register]:
    import asyncio

    from bot.core.adverts.service import AdvertChecker
    from bot.core.agencies.matching import Register
    from bot.core.agencies.service import AgencyService
    from bot.core.content import Content
    from bot.settings import get_settings
    from storage import db

    settings = get_settings()

    async def snapshot() -> Register:
        async with db.migrated(settings.database_url) as sessions:
            snap = await AgencyService(sessions).snapshot()
        if snap is None:
            print("warning: no register imported yet (agencies import FILE)", file=sys.stderr)
        return snap.register if snap else Register(())

    from bot.core.adverts.lexicon import load_lexicon

    lexicon = load_lexicon(settings.intents_dir / "adverts.yml")
    return AdvertChecker(Content.load(settings.content_dir), lexicon), asyncio.run(snapshot())


def _error(reason: str) -> dict[str, Any]:
    return {"error": reason, "detail": _REASONS.get(reason, reason)}


def _one(checker: AdvertChecker, register: Register, item: Any) -> dict[str, Any]:
    from bot.core.adverts.service import AdvertError

    try:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            return checker.to_dict(checker.check_text(item["text"], register))
        if isinstance(item, dict) and isinstance(item.get("image"), str):
            path = Path(item["image"])
            if not path.is_file():
                return _error("missing_file")
            if path.stat().st_size > MAX_FILE_BYTES:
                return _error("too_large")
            return checker.to_dict(checker.check_picture(path.read_bytes(), register))
    except AdvertError as exc:
        return _error(exc.reason)
    return _error("bad_line")


def _check(args: argparse.Namespace) -> int:
    if args.file != "-" and not Path(args.file).is_file():
        print(f"error: {args.file} does not exist", file=sys.stderr)
        return 2
    checker, register = _load()
    if args.json:
        if args.file == "-":
            if hasattr(sys.stdin, "reconfigure"):
                sys.stdin.reconfigure(errors="replace")
            _json_lines(checker, register, sys.stdin)
        else:
            with open(args.file, encoding="utf-8", errors="replace") as stream:
                _json_lines(checker, register, stream)
        return 0
    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    return _print_one(checker, register, data)


def _json_lines(checker: AdvertChecker, register: Register, stream: Iterable[str]) -> None:
    import json

    for line in stream:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        print(json.dumps(_one(checker, register, item), ensure_ascii=False), flush=True)


def _print_one(checker: AdvertChecker, register: Register, data: bytes) -> int:
    from storage.media import sniff_mime

    mime = sniff_mime(data[:16])
    if mime is not None and mime.startswith("image/"):
        from bot.core.adverts.service import AdvertError

        try:
            result = checker.to_dict(checker.check_picture(data, register))
        except AdvertError as exc:
            result = _error(exc.reason)
    elif mime == "application/pdf":
        result = _error("not_picture")
    else:
        result = _one(checker, register, {"text": data.decode("utf-8", errors="replace")})
    if "error" in result:
        print(f"tidak bisa dicek: {result['detail']}")
        return 1
    print(f"risiko: {result['risk']}  tujuan: {result['destination'] or '-'}  "
          f"pekerjaan: {result['job'] or '-'}")
    for agency in result["agencies"]:
        print(f"  perusahaan: {agency['query']} -> {agency['verdict']}")
    for flag in result["flags"]:
        print(f"  [{flag['code']}] {flag['detail']}\n      sumber: {flag['source']}")
    return 0
