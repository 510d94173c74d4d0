"""Demo staff accounts, created when `serve --demo` starts on a database without any staff.

Only when asked (`serve --demo`, which `make run` passes, or SEED_DEMO_DATA=true).
Complaints are routed by the complainant's province, so one demo supervisor per office is
created: `demo` for the default office (unknown province) and `demo-<office>` for each
BP3MI office (e.g. `demo-jatim` for BP3MI-JATIM), all with one random password, clearly
marked as demo. The password never reaches a log: it is printed only when standard output
is a terminal, and otherwise written to var/demo-staff.txt (mode 0600), and the log says
where it is.
"""

from __future__ import annotations

import logging
import secrets
import sys
import textwrap
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


def demo_username(office: str, default: str) -> str:
    """`demo` for the default office, `demo-jatim` for BP3MI-JATIM."""
    if office == default:
        return DEMO_USERNAME
    return f"{DEMO_USERNAME}-{office.removeprefix('BP3MI-').lower()}"


async def seed_demo_staff(app: web.Application) -> tuple[str, dict[str, str]] | None:
    """Create one demo supervisor per office when there is no staff yet; returns the
    password and {username: office}."""
    dash = app[DASHBOARD_KEY]
    offices = dash.casework.offices
    password = secrets.token_urlsafe(9)
    accounts = {demo_username(code, offices.default): code for code in offices.names}
    async with dash.bot.sessions() as db, db.begin():
        if (await db.execute(select(func.count()).select_from(Staff))).scalar_one():
            return None
        first: Staff | None = None
        for username, office in accounts.items():
            if first is None:  # hashed once: every demo account shares the password
                first = await staff_repo.create_staff(
                    db, username=username, password=password, office_code=office,
                    role=DEMO_ROLE)
                continue
            db.add(Staff(username=username, password_hash=first.password_hash,
                         office_code=office, role=DEMO_ROLE, active=True,
                         created_at=first.created_at, recovery_codes=[]))
    return password, accounts


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
    password, accounts = created
    text = _announcement(password, accounts, app[DASHBOARD_KEY].casework.offices.default)
    if sys.stdout.isatty():
        print("\n" + text, flush=True)
        return
    write_private(CREDENTIALS_FILE, text)
    log.warning("created %d demo staff accounts (%r, demo-<office>); their password is in "
                "%s (mode 0600)", len(accounts), DEMO_USERNAME, CREDENTIALS_FILE)


def _announcement(password: str, accounts: dict[str, str], default: str) -> str:
    """What the operator is told about the demo accounts (Indonesian, for the console)."""
    others = textwrap.fill(", ".join(u for u in accounts if u != DEMO_USERNAME), width=74,
                           initial_indent=" " * 17, subsequent_indent=" " * 17,
                           break_on_hyphens=False)
    return ("*** DEMO *** Akun staf demo dibuat (data contoh, bukan untuk produksi):\n"
            "    dasbor     : /staff\n"
            f"    pengguna   : {DEMO_USERNAME} (kantor {default}); untuk kantor BP3MI asal "
            f"pengadu:\n{others}\n"
            f"    kata sandi : {password} (sama untuk semua akun demo)\n"
            "    Pengaduan masuk ke kantor provinsi asal pengadu; jawaban bot menyebut "
            "kantornya.\n"
            "    Saat masuk pertama, aktifkan verifikasi dua langkah (pindai kode QR).\n"
            "    Buat akun sungguhan dengan `jalur-aman staff add`.\n")
