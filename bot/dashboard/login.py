"""Sign-in (password step) and sign-out of the staff dashboard.

A correct password opens a server-side session; when the account needs the second factor
(bot.dashboard.auth.needs_mfa) that session reaches only the TOTP pages
(bot.dashboard.second_factor) until a code is given. Failed sign-ins are throttled per
(address, account), per address and per account in the database; the address is the
proxy's hop of X-Forwarded-For when TRUST_FORWARDED_FOR is set, else the peer. The answer
to a wrong username and to a wrong password is the same. Every sign-in, failure and
sign-out is written to the staff audit log.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dashboard import csrf
from bot.dashboard.app import STAFF_KEY, Dashboard, current_staff, page, redirect, set_cookie, state
from bot.dashboard.auth import COOKIE, PRE_COOKIE
from bot.ops.guards import client_ip as proxied_ip
from storage.models.complaints import Staff
from storage.repositories import dashboard_queries as dq
from storage.repositories import staff as staff_repo
from storage.repositories import staff_sessions

ERRORS = {
    "invalid": "Nama pengguna atau kata sandi salah.",
    "rate_limited": "Terlalu banyak percobaan gagal. Tunggu beberapa menit lalu coba lagi.",
}


def client_ip(request: web.Request) -> str:
    """The client's address: the proxy's hop when TRUST_FORWARDED_FOR, else the peer."""
    return proxied_ip(request, state(request).bot.settings.trust_forwarded_for)


async def login_form(request: web.Request) -> web.StreamResponse:
    if request.get(STAFF_KEY) is not None:
        raise web.HTTPSeeOther("/staff/")
    return page(request, "login.html", error=None, username="")


def _failed(request: web.Request, error: str, username: str, retry: int = 0) -> web.Response:
    status = 429 if error == "rate_limited" else 401
    response = page(request, "login.html", status=status, error=error,
                    error_text=ERRORS[error], username=username)
    if retry:
        response.headers["Retry-After"] = str(retry)
    return response


async def start_session(db: AsyncSession, dash: Dashboard, staff: Staff, ip: str,
                        *, mfa_passed: bool) -> str:
    """A new server-side session for `staff`; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    await staff_sessions.create(db, token=token, staff_id=staff.id, lifetime=dash.lifetime,
                                mfa_passed=mfa_passed, ip=ip)
    return token


def signed_in(dash: Dashboard, token: str, location: str = "/staff/") -> web.Response:
    response = redirect(location)
    set_cookie(response, dash, COOKIE, token)
    response.del_cookie(PRE_COOKIE, path="/staff")
    return response


async def login_submit(request: web.Request) -> web.StreamResponse:
    dash = state(request)
    form = await request.post()
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")[:200]
    ip = client_ip(request)
    async with dash.bot.sessions() as db, db.begin():
        retry = await dash.throttle.retry_after(db, ip, username)
        if retry:
            return _failed(request, "rate_limited", username, retry)
        staff = None
        if username and password:
            staff = await staff_repo.authenticate(db, username, password)
        if staff is None or not staff.office_code:
            await dash.throttle.failed(db, ip, username)
            known = await staff_repo.by_username(db, username) if username else None
            await dq.record_audit(db, action="login_failed", username=username or "-",
                                  staff_id=known.id if known else None,
                                  office_code=known.office_code if known else None, ip=ip)
            staff = None
        else:
            await dash.throttle.succeeded(db, ip, username)
            await staff_sessions.prune(db, older_than=timedelta(days=1))
            old = request.cookies.get(COOKIE)
            if old:
                await staff_sessions.revoke(db, old)
            mfa = dash.needs_mfa(staff.role)
            token = await start_session(db, dash, staff, ip, mfa_passed=not mfa)
            if not mfa:
                await dq.record_audit(db, action="login", username=staff.username,
                                      staff_id=staff.id, office_code=staff.office_code, ip=ip)
            location = ("/staff/" if not mfa else
                        "/staff/totp" if staff.totp_secret else "/staff/enrol")
    if staff is None:
        return _failed(request, "invalid", username)
    return signed_in(dash, token, location)


async def logout(request: web.Request) -> web.StreamResponse:
    dash = state(request)
    staff = current_staff(request)
    session = request.get(csrf.SESSION_KEY)
    async with dash.bot.sessions() as db, db.begin():
        if session is not None:
            await staff_sessions.revoke(db, session.nonce)
        await dq.record_audit(db, action="logout", username=staff.username, staff_id=staff.id,
                              office_code=staff.office_code, ip=client_ip(request))
    response = redirect("/staff/login")
    response.del_cookie(COOKIE, path="/staff")
    return response
