"""`jalur-aman villages import FILE | list [--json] | links CODE | poster CODE [--out DIR]`.

CODE is a village's referral code or its kode wilayah. The web chat link
(JALUR_AMAN_PUBLIC_URL/?start=CODE) always exists: while PUBLIC_URL is unset it uses the
local serve address and says so. Telegram and WhatsApp links need
JALUR_AMAN_TELEGRAM_BOT_USERNAME and JALUR_AMAN_WHATSAPP_PUBLIC_NUMBER; an unset one is
reported as not configured and left off the poster (one QR code per configured channel).
Exit codes: 0 done, 1 refused (no valid rows, unknown village).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.core.content import Content
from bot.core.villages.poster import write_poster
from bot.core.villages.service import import_villages, links
from bot.settings import Settings, get_settings
from storage import db
from storage.models.villages import Village
from storage.repositories import villages as repo

_NAMES = {"web": "web chat", "whatsapp": "WhatsApp", "telegram": "Telegram"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("villages", help="village registry, share links and posters")
    vsub = parser.add_subparsers(dest="villages_command", required=True)
    imp = vsub.add_parser("import", help="import/update villages from a CSV (docs/VILLAGES.md)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=_import)
    lst = vsub.add_parser("list", help="villages with their referral codes")
    lst.add_argument("--json", action="store_true")
    lst.add_argument("--district", help="only this kabupaten/kota code, e.g. 32.01")
    lst.set_defaults(handler=_list)
    lnk = vsub.add_parser("links", help="the web chat, Telegram and WhatsApp links of a village")
    lnk.add_argument("code")
    lnk.add_argument("--json", action="store_true")
    lnk.set_defaults(handler=_links)
    pst = vsub.add_parser("poster", help="printable A4 poster (PDF and PNG) of a village")
    pst.add_argument("code")
    pst.add_argument("--out", type=Path, default=Path("."))
    pst.set_defaults(handler=_poster)



def _import(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not args.file.exists():
        print(f"error: {args.file} not found", file=sys.stderr)
        return 1

    async def run() -> int:
        async with db.migrated(settings.database_url) as sessions:
            result = await import_villages(sessions, args.file)
        for line, reason in result.parsed.rejected:
            print(f"rejected line {line}: {reason}", file=sys.stderr)
        print(f"villages: {len(result.parsed.rows)} valid, {result.added} added, "
              f"{result.updated} updated, {len(result.parsed.rejected)} rejected")
        return 0 if result.parsed.rows else 1

    return asyncio.run(run())


async def _find(settings: Settings, code: str) -> Village | None:
    async with db.migrated(settings.database_url) as sessions, sessions() as session:
        return await repo.by_code(session, code)


def _list(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def run() -> list[Village]:
        async with db.migrated(settings.database_url) as sessions, sessions() as session:
            return list(await repo.list_villages(session, district_code=args.district))

    for v in asyncio.run(run()):
        row = {"code": v.referral_code, "kode_wilayah": v.code, "desa": v.name,
               "kecamatan": v.subdistrict, "kabupaten_kota": v.district,
               "provinsi": v.province, "demo": v.demo}
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            demo = "  [CONTOH/FIKTIF]" if v.demo else ""
            print(f"{v.referral_code}  {v.code}  {v.name}, {v.subdistrict}, {v.district}, "
                  f"{v.province}{demo}")
    return 0


def _links(args: argparse.Namespace) -> int:
    settings = get_settings()
    village = asyncio.run(_find(settings, args.code))
    if village is None:
        print(f"error: unknown village {args.code!r}", file=sys.stderr)
        return 1
    found = links(settings, Content.load(settings.content_dir), village)
    if args.json:
        print(json.dumps({"code": village.referral_code, "web": found.web,
                          "web_is_local": found.web_is_local, "telegram": found.telegram,
                          "whatsapp": found.whatsapp, "prefill": found.prefill,
                          "channels": found.channels}))
        return 0
    print(f"{village.name} ({village.district}) - kode {village.referral_code}")
    print(f"Web chat: {found.web}")
    if found.web_is_local:
        print("  (JALUR_AMAN_PUBLIC_URL is unset: this is the local serve address, reachable "
              "only on this machine; set PUBLIC_URL to the public address before sharing "
              "or printing)")
    print(f"Telegram: {found.telegram or 'not configured (JALUR_AMAN_TELEGRAM_BOT_USERNAME)'}")
    print(f"WhatsApp: {found.whatsapp or 'not configured (JALUR_AMAN_WHATSAPP_PUBLIC_NUMBER)'}")
    print(f"Channels on the poster: {', '.join(_NAMES[c] for c in found.channels)}")
    return 0


def _poster(args: argparse.Namespace) -> int:
    settings = get_settings()
    village = asyncio.run(_find(settings, args.code))
    if village is None:
        print(f"error: unknown village {args.code!r}", file=sys.stderr)
        return 1
    content = Content.load(settings.content_dir)
    found = links(settings, content, village)
    files = write_poster(content, village, args.out, found)
    print(f"poster: {files.pdf} {files.png}")
    print(f"QR codes: {', '.join(_NAMES[c] for c in found.channels)}")
    if found.web_is_local:
        print("warning: JALUR_AMAN_PUBLIC_URL is unset, so the web chat QR code points to "
              f"{found.web} (this machine only); set PUBLIC_URL before printing")
    return 0
