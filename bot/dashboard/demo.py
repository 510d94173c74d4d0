"""Demo staff account, created when `serve` starts on a database without any staff.

Only when SEED_DEMO_DATA is on (the default for development). The account belongs to the
default office (where complaints with an unknown province go) and gets a random password
that is printed once on the console, clearly marked as demo: a known fixed password would
be a hole on a production server started with default settings.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web
from sqlalchemy import func, select

from bot.dashboard.app import DASHBOARD_KEY
from storage.models.complaints import Staff
from storage.repositories import staff as staff_repo

log = logging.getLogger(__name__)
DEMO_USERNAME = "demo"
DEMO_ROLE = "supervisor"


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
    print(
        "\n*** DEMO *** Akun staf demo dibuat (data contoh, bukan untuk produksi):\n"
        f"    dasbor     : /staff\n    pengguna   : {username}\n"
        f"    kata sandi : {password}\n    kantor     : {office} (supervisor)\n"
        "    Buat akun sungguhan dengan `jalur-aman staff add`.\n",
        flush=True,
    )
