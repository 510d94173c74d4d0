"""Demo staff account, created when `serve --demo` starts on a database without any staff.

Only when asked (`serve --demo`, which `make run` passes, or SEED_DEMO_DATA=true). The
account belongs to the default office (where complaints with an unknown province go) and
gets a random password, clearly marked as demo. The password never reaches a log: it is
printed only when standard output is a terminal, and otherwise written to
var/demo-staff.txt (mode 0600), and the log says where it is.
"""

from __future__ import annotations

import logging
import secrets
import sys
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, select

from bot.dashboard.app import DASHBOARD_KEY
from bot.ops.server_secret import write_private
from storage.models.complaints import Staff
from storage.repositories import staff as staff_repo

log = logging.getLogger(__name__)
DEMO_USERNAME = "demo"
DEMO_ROLE = "supervisor"
CREDENTIALS_FILE = Path("var") / "demo-staff.txt"


async def seed_demo_staff(app: web.Application) -> tuple[str, str, str] | None:
    """Create the demo account when there is no staff yet; returns (user, password, office)."""
    dash = app[DASHBOARD_KEY]
    offices = dash.casework.offices
    office = offices.default
    password = secrets.token_urlsafe(9)
    async with dash.bot.sessions() as db, db.begin():
        if (await db.execute(select(func.count()).select_from(Staff))).scalar_one():
            return None
        await staff_repo.create_staff(db, username=DEMO_USERNAME, password=password,
                                      office_code=office, role=DEMO_ROLE)
    return DEMO_USERNAME, password, office


async def on_startup(app: web.Application) -> None:
    if not app[DASHBOARD_KEY].bot.settings.seed_demo_data:
        return
    try:
        created = await seed_demo_staff(app)
    except Exception:  # never keep the server from starting over demo data
        log.exception("could not create the demo staff account")
        return
    if created is None:
        return
    username, password, office = created
    text = ("*** DEMO *** Akun staf demo dibuat (data contoh, bukan untuk produksi):\n"
            f"    dasbor     : /staff\n    pengguna   : {username}\n"
            f"    kata sandi : {password}\n    kantor     : {office} (supervisor)\n"
            "    Saat masuk pertama, aktifkan verifikasi dua langkah (pindai kode QR).\n"
            "    Buat akun sungguhan dengan `jalur-aman staff add`.\n")
    if sys.stdout.isatty():
        print("\n" + text, flush=True)
        return
    write_private(CREDENTIALS_FILE, text)
    log.warning("created the demo staff account %r; its password is in %s (mode 0600)",
                username, CREDENTIALS_FILE)

