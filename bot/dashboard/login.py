"""Sign-in and sign-out pages of the staff dashboard.

Failed sign-ins are rate limited in memory per (IP, username) and per IP; the answer to a
wrong username and to a wrong password is the same. Every sign-in, failure, and sign-out
is written to the staff audit log.
"""

from __future__ import annotations

from aiohttp import web

from bot.dashboard import csrf
from bot.dashboard.app import STAFF_KEY, current_staff, page, redirect, set_cookie, state
from bot.dashboard.auth import COOKIE, PRE_COOKIE
from storage.repositories import dashboard_queries as dq
from storage.repositories import staff as staff_repo

ERRORS = {
    "invalid": "Nama pengguna atau kata sandi salah.",
    "rate_limited": "Terlalu banyak percobaan gagal. Tunggu beberapa menit lalu coba lagi.",
}


def client_ip(request: web.Request) -> str:
    """The peer address (a reverse proxy in front should pass it through unchanged)."""
    return request.remote or "unknown"


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


async def login_submit(request: web.Request) -> web.StreamResponse:
    dash = state(request)
    form = await request.post()
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")[:200]
    ip = client_ip(request)
    retry = dash.limiter.retry_after(ip, username)
    if retry:
        return _failed(request, "rate_limited", username, retry)
    async with dash.bot.sessions() as db, db.begin():
        staff = None
        if username and password:
            staff = await staff_repo.authenticate(db, username, password)
        if staff is None:
            dash.limiter.failed(ip, username)
            known = await staff_repo.by_username(db, username) if username else None
            await dq.record_audit(db, action="login_failed", username=username or "-",
                                  staff_id=known.id if known else None,
                                  office_code=known.office_code if known else None, ip=ip)
        else:
            await dq.record_audit(db, action="login", username=staff.username,
                                  staff_id=staff.id, office_code=staff.office_code, ip=ip)
            cookie = dash.signer.issue(staff.id, staff.password_hash)
    if staff is None:
        return _failed(request, "invalid", username)
    dash.limiter.succeeded(ip, username)
    response = redirect("/staff/")
    set_cookie(response, dash, COOKIE, cookie)
    response.del_cookie(PRE_COOKIE, path="/staff")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    dash = state(request)
    staff = current_staff(request)
    session = request.get(csrf.SESSION_KEY)
    if session is not None:
        dash.signer.revoke(session)
    async with dash.bot.sessions() as db, db.begin():
        await dq.record_audit(db, action="logout", username=staff.username, staff_id=staff.id,
                              office_code=staff.office_code, ip=client_ip(request))
    response = redirect("/staff/login")
    response.del_cookie(COOKIE, path="/staff")
    return response
