"""The second factor of the dashboard (TOTP): enrolment with a QR code on first sign-in,
the code page after the password, recovery codes, and enrolment links.

- GET/POST /staff/enrol: a signed-in account without a factor scans the QR code (the
  secret is derived from the session, so a reload shows the same one) and confirms a code;
  it then gets ten recovery codes, shown once and stored hashed.
- GET/POST /staff/totp: the code (or a recovery code) after the password.
- GET/POST /staff/enrol/{token}: an account created by `staff add` in production has no
  password yet; its one-time link sets the password and enrols the factor together.
Wrong codes count as failed sign-ins (bot.dashboard.auth.LoginThrottle).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.core.staff import passwords, totp
from bot.dashboard import csrf
from bot.dashboard.app import current_staff, page, state
from bot.dashboard.auth import SessionData
from bot.dashboard.login import client_ip, signed_in, start_session
from storage.models.complaints import Staff
from storage.repositories import dashboard_queries as dq
from storage.repositories import staff as staff_repo
from storage.repositories import staff_sessions

ERRORS = {
    "code": "Kode salah atau sudah dipakai. Lihat kode baru di aplikasi autentikator.",
    "rate_limited": "Terlalu banyak percobaan gagal. Tunggu beberapa menit lalu coba lagi.",
    "mismatch": "Kedua kata sandi tidak sama.",
    **passwords.REASONS,
}


def _session(request: web.Request) -> SessionData:
    session: SessionData | None = request.get(csrf.SESSION_KEY)
    if session is None:
        raise web.HTTPSeeOther("/staff/login")
    return session


def _enrol_context(request: web.Request, secret: str, username: str) -> dict[str, Any]:
    uri = totp.uri(secret, username)
    return {"secret": secret, "qr": totp.qr_data_uri(uri), "otpauth": uri}


def _error(request: web.Request, template: str, error: str, status: int = 401,
           retry: int = 0, **context: Any) -> web.Response:
    response = page(request, template, status=429 if retry else status, error=error,
                    error_text=ERRORS[error], **context)
    if retry:
        response.headers["Retry-After"] = str(retry)
    return response


def _enrolled(staff: Staff, step: int) -> list[str]:
    """Store the factor's first step and fresh recovery codes; returns the codes."""
    codes, hashes = totp.new_recovery_codes()
    staff.totp_last_step = step
    staff.recovery_codes = hashes
    return codes


# --- first sign-in: enrolment ---------------------------------------------------------
async def enrol_form(request: web.Request) -> web.StreamResponse:
    dash, session, me = state(request), _session(request), current_staff(request)
    async with dash.bot.sessions() as db:
        staff = await staff_repo.get_staff(db, me.id)
    if staff is None:
        raise web.HTTPSeeOther("/staff/login")
    if staff.totp_secret:
        raise web.HTTPSeeOther("/staff/totp" if not session.mfa_passed else "/staff/")
    secret = totp.derived_secret(dash.signer.key, f"session|{session.nonce}")
    return page(request, "enrol.html", error=None, **_enrol_context(request, secret, me.username))


async def enrol_submit(request: web.Request) -> web.StreamResponse:
    dash, session, me = state(request), _session(request), current_staff(request)
    form = await request.post()
    code = str(form.get("code") or "")[:32]
    ip = client_ip(request)
    secret = totp.derived_secret(dash.signer.key, f"session|{session.nonce}")
    async with dash.bot.sessions() as db, db.begin():
        staff = await staff_repo.get_staff(db, me.id)
        if staff is None or staff.totp_secret:
            raise web.HTTPSeeOther("/staff/totp")
        retry = await dash.throttle.retry_after(db, ip, staff.username)
        step = None if retry else totp.verify(secret, code, None)
        if step is None:
            if not retry:
                await dash.throttle.failed(db, ip, staff.username)
            failed = True
        else:
            failed = False
            staff.totp_secret = secret
            codes = _enrolled(staff, step)
            await staff_sessions.revoke_all(db, staff.id, keep=session.nonce)
            live = await staff_sessions.load(db, session.nonce, idle=dash.idle)
            if live is not None:
                live[0].mfa_passed = True
            for action in ("totp_enrolled", "login"):
                await dq.record_audit(db, action=action, username=staff.username,
                                      staff_id=staff.id, office_code=staff.office_code, ip=ip)
    if failed:
        return _error(request, "enrol.html", "rate_limited" if retry else "code", retry=retry,
                      **_enrol_context(request, secret, me.username))
    return page(request, "recovery.html", codes=codes)


# --- every sign-in: the code ------------------------------------------------------------
async def totp_form(request: web.Request) -> web.StreamResponse:
    dash, session, me = state(request), _session(request), current_staff(request)
    if session.mfa_passed:
        raise web.HTTPSeeOther("/staff/")
    async with dash.bot.sessions() as db:
        staff = await staff_repo.get_staff(db, me.id)
    if staff is None or not staff.totp_secret:
        raise web.HTTPSeeOther("/staff/enrol")
    return page(request, "totp.html", error=None)


async def totp_submit(request: web.Request) -> web.StreamResponse:
    dash, session, me = state(request), _session(request), current_staff(request)
    form = await request.post()
    code = str(form.get("code") or "")[:32]
    ip = client_ip(request)
    async with dash.bot.sessions() as db, db.begin():
        staff = await staff_repo.get_staff(db, me.id)
        if staff is None or not staff.totp_secret:
            raise web.HTTPSeeOther("/staff/enrol")
        retry = await dash.throttle.retry_after(db, ip, staff.username)
        how = None
        if not retry:
            step = totp.verify(staff.totp_secret, code, staff.totp_last_step)
            if step is not None:
                staff.totp_last_step, how = step, "totp"
            elif (left := totp.use_recovery_code(list(staff.recovery_codes or []), code)) \
                    is not None:
                staff.recovery_codes, how = left, "recovery_code"
        if how is None:
            if not retry:
                await dash.throttle.failed(db, ip, staff.username)
            await dq.record_audit(db, action="totp_failed", username=staff.username,
                                  staff_id=staff.id, office_code=staff.office_code, ip=ip)
        else:
            await dash.throttle.succeeded(db, ip, staff.username)
            live = await staff_sessions.load(db, session.nonce, idle=dash.idle)
            if live is not None:
                live[0].mfa_passed = True
            await dq.record_audit(db, action="login", username=staff.username,
                                  staff_id=staff.id, office_code=staff.office_code, ip=ip,
                                  detail=how)
    if how is None:
        return _error(request, "totp.html", "rate_limited" if retry else "code", retry=retry)
    return signed_in(dash, session.nonce)


# --- enrolment links (accounts created without a password) ----------------------------
async def link_form(request: web.Request) -> web.StreamResponse:
    dash, token = state(request), request.match_info["token"]
    async with dash.bot.sessions() as db:
        staff = await staff_repo.by_enrol_token(db, token)
    if staff is None:
        raise web.HTTPNotFound()
    secret = totp.derived_secret(dash.signer.key, f"link|{token}")
    return page(request, "enrol_link.html", error=None, username=staff.username, token=token,
                **_enrol_context(request, secret, staff.username))


async def link_submit(request: web.Request) -> web.StreamResponse:
    dash, token = state(request), request.match_info["token"]
    form = await request.post()
    password = str(form.get("password") or "")[:400]
    again = str(form.get("password2") or "")[:400]
    code = str(form.get("code") or "")[:32]
    ip = client_ip(request)
    secret = totp.derived_secret(dash.signer.key, f"link|{token}")
    async with dash.bot.sessions() as db, db.begin():
        staff = await staff_repo.by_enrol_token(db, token)
        if staff is None:
            raise web.HTTPNotFound()
        context = {"username": staff.username, "token": token,
                   **_enrol_context(request, secret, staff.username)}
        retry = await dash.throttle.retry_after(db, ip, staff.username)
        error = ("rate_limited" if retry else "mismatch" if password != again
                 else passwords.problem(password, username=staff.username))
        step = None if error else totp.verify(secret, code, None)
        if error is None and step is None:
            error = "code"
            await dash.throttle.failed(db, ip, staff.username)
        if error is None and step is not None:
            await staff_repo.set_password(db, staff, password)
            staff.totp_secret, staff.enrol_token_hash, staff.enrol_expires_at = secret, None, None
            codes = _enrolled(staff, step)
            session_token = await start_session(db, dash, staff, ip, mfa_passed=True)
            for action in ("totp_enrolled", "login"):
                await dq.record_audit(db, action=action, username=staff.username,
                                      staff_id=staff.id, office_code=staff.office_code, ip=ip)
    if error is not None:
        return _error(request, "enrol_link.html", error, status=400, retry=retry, **context)
    response = page(request, "recovery.html", codes=codes)
    signed = signed_in(dash, session_token)
    for name, morsel in signed.cookies.items():
        response.cookies[name] = morsel
    return response


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/enrol", enrol_form)
    app.router.add_post("/enrol", enrol_submit)
    app.router.add_get("/totp", totp_form)
    app.router.add_post("/totp", totp_submit)
    app.router.add_get("/enrol/{token}", link_form)
    app.router.add_post("/enrol/{token}", link_submit)
