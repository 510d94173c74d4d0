"""Supervisors and admins manage the accounts of their office (/staff/akun): reset a
staff member's second factor (they enrol again at their next sign-in) or disable an
account. Either ends every session of that account and is written to the audit log.

Supervisors act on handlers and village/district accounts of their own office; admins on
any account of their office except admins. Nobody acts on their own account here.
"""

from __future__ import annotations

from aiohttp import web

from bot.dashboard.app import StaffUser, current_staff, page, redirect, state
from bot.dashboard.login import client_ip
from storage.models.complaints import Staff
from storage.repositories import dashboard_queries as dq
from storage.repositories import staff as staff_repo

NOTICES = {
    "reset": "Verifikasi dua langkah diatur ulang. Akun ini mengaktifkannya lagi saat masuk.",
    "disabled": "Akun dinonaktifkan; semua sesinya berakhir.",
}


def _may_manage(me: StaffUser, target: Staff) -> bool:
    if not me.is_supervisor or target.id == me.id or target.office_code != me.office_code:
        return False
    allowed = ("handler", "village", "district", "supervisor") if me.role == "admin" \
        else ("handler", "village", "district")
    return target.role in allowed


async def accounts_page(request: web.Request) -> web.StreamResponse:
    me = current_staff(request)
    if not me.is_supervisor:
        raise web.HTTPForbidden()
    async with state(request).bot.sessions() as db:
        rows = await staff_repo.list_staff(db, me.office_code)
    done = request.query.get("done", "")
    return page(request, "akun.html", accounts=rows, may=lambda s: _may_manage(me, s),
                flash=NOTICES.get(done), flash_kind="ok")


async def account_action(request: web.Request) -> web.StreamResponse:
    me = current_staff(request)
    action = request.match_info["action"]
    if action not in ("reset-2fa", "disable"):
        raise web.HTTPNotFound()
    try:
        target_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    async with state(request).bot.sessions() as db, db.begin():
        target = await staff_repo.get_staff(db, target_id)
        if target is None or target.office_code != me.office_code:
            raise web.HTTPNotFound()
        if not _may_manage(me, target):
            raise web.HTTPForbidden()
        if action == "reset-2fa":
            await staff_repo.reset_second_factor(db, target)
        else:
            await staff_repo.deactivate(db, target)
        await dq.record_audit(db, action="totp_reset" if action == "reset-2fa" else "disabled",
                              username=me.username, staff_id=me.id,
                              office_code=me.office_code, ip=client_ip(request),
                              detail=f"account {target.id} {target.username}")
    return redirect(f"/staff/akun?done={'reset' if action == 'reset-2fa' else 'disabled'}")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/akun", accounts_page)
    app.router.add_post(r"/akun/{id}/{action}", account_action)
