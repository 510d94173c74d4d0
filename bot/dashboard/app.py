"""The /staff sub-application: shared state, the session + CSRF middleware, page rendering.

Every request resolves its session cookie to a live server-side session and a fresh staff
row (active account). Only the login pages, enrolment links and static files are public;
a session that has not passed the second factor reaches only the second-factor pages;
everything else redirects to the login (GET) or is refused (other methods). Every POST,
the login form included, must carry the session's CSRF token. Staff pages are never
cached or framed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.composition import Bot
from bot.core.complaints.casework import Casework
from bot.dashboard import csrf
from bot.dashboard.auth import COOKIE, PRE_COOKIE, LoginThrottle, SessionData, Signer, needs_mfa
from bot.dashboard.canned import DashboardConfig
from storage.repositories import staff_sessions

JINJA_KEY = web.AppKey("dashboard_jinja", jinja2.Environment)
PUBLIC = ("/staff/login", "/staff/static/", "/staff/enrol/")
MFA_PATHS = ("/staff/totp", "/staff/enrol", "/staff/logout", "/staff/static/")
ROLE_LABELS = {"handler": "Petugas", "supervisor": "Supervisor", "admin": "Admin",
               "village": "Perangkat desa", "district": "Pemda kabupaten/kota"}
# Village/district accounts reach only the aggregate village pages: fail closed.
SCOPED_ROLES = ("village", "district")
SCOPED_PATHS = ("/staff/desa", "/staff/logout", "/staff/static/", "/staff/login",
                "/staff/totp", "/staff/enrol")
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@dataclass(frozen=True, slots=True)
class StaffUser:
    """The signed-in staff member, read fresh from the database for this request."""

    id: int
    username: str
    office_code: str
    role: str
    office_name: str
    village_code: str | None = None  # scope of a village account
    district_code: str | None = None  # scope of a district account

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")

    @property
    def is_scoped(self) -> bool:
        return self.role in SCOPED_ROLES


@dataclass
class Dashboard:
    bot: Bot
    signer: Signer
    throttle: LoginThrottle
    config: DashboardConfig
    casework: Casework
    secure_cookies: bool

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.bot.settings.staff_idle_minutes)

    @property
    def lifetime(self) -> timedelta:
        return timedelta(hours=self.bot.settings.staff_session_hours)

    def needs_mfa(self, role: str) -> bool:
        return needs_mfa(role, self.bot.settings.staff_totp_handlers)


DASHBOARD_KEY = web.AppKey("dashboard", Dashboard)
STAFF_KEY = web.RequestKey("dashboard_staff", StaffUser)
FLASH_KEY = web.RequestKey("dashboard_flash", tuple)


def state(request: web.Request) -> Dashboard:
    return request.config_dict[DASHBOARD_KEY]


def current_staff(request: web.Request) -> StaffUser:
    """The signed-in staff member (the middleware guarantees one on non-public routes)."""
    staff: StaffUser | None = request.get(STAFF_KEY)
    if staff is None:
        raise web.HTTPForbidden()
    return staff


async def _load_staff(request: web.Request, dash: Dashboard) -> StaffUser | None:
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 128:
        return None
    async with dash.bot.sessions() as db, db.begin():
        found = await staff_sessions.load(db, token, idle=dash.idle)
        if found is None:
            return None
        live, row = found
        if not row.active or not row.office_code:
            return None
        mfa_passed = live.mfa_passed or not dash.needs_mfa(row.role)
    request[csrf.SESSION_KEY] = SessionData(row.id, token, mfa_passed)
    return StaffUser(row.id, row.username, row.office_code, row.role,
                     dash.casework.offices.name(row.office_code),
                     row.village_code, row.district_code)


def set_cookie(response: web.StreamResponse, dash: Dashboard, name: str, value: str) -> None:
    """A session cookie (no max-age: the server decides when a session ends)."""
    response.set_cookie(name, value, path="/staff", httponly=True, samesite="Lax",
                        secure=dash.secure_cookies)


def redirect(location: str) -> web.Response:
    """A 303 See Other response (returned, not raised, so cookies can be set on it)."""
    return web.Response(status=303, headers={"Location": location})


def _error_page(request: web.Request, status: int) -> web.Response:
    heading, message = {
        403: ("Tidak diizinkan", "Anda tidak punya akses untuk tindakan ini."),
        404: ("Tidak ditemukan", "Halaman atau kasus ini tidak ada di kantor Anda."),
    }.get(status, ("Terjadi kesalahan", "Silakan coba lagi."))
    return page(request, "error.html", status=status, heading=heading, message=message)


@web.middleware
async def middleware(request: web.Request, handler: csrf.Handler) -> web.StreamResponse:
    dash = state(request)
    staff = await _load_staff(request, dash)
    if staff is not None:
        request[STAFF_KEY] = staff
    public = request.path.startswith(PUBLIC)
    if staff is None and not public:
        if request.method in csrf.SAFE_METHODS:
            raise web.HTTPSeeOther("/staff/login")
        return csrf.forbidden()
    if not await csrf.check(request, dash.signer, dash.bot.settings):
        return csrf.forbidden()
    session: SessionData | None = request.get(csrf.SESSION_KEY)
    if (staff is not None and session is not None and not session.mfa_passed
            and not request.path.startswith(MFA_PATHS)):
        if request.method in csrf.SAFE_METHODS:
            raise web.HTTPSeeOther("/staff/totp")
        return csrf.forbidden()
    if staff is not None and staff.is_scoped and not request.path.startswith(SCOPED_PATHS):
        if request.path in ("/staff", "/staff/"):
            raise web.HTTPSeeOther("/staff/desa")
        return _error_page(request, 404)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status not in (403, 404):
            raise
        response = _error_page(request, exc.status)
    pre = request.get(csrf.NONCE_KEY)
    if pre and csrf.SESSION_KEY not in request and PRE_COOKIE not in request.cookies:
        set_cookie(response, dash, PRE_COOKIE, pre)
    if not request.path.startswith("/staff/static/"):
        response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = CSP
    return response


def page(request: web.Request, template: str, *, status: int = 200,
         **context: Any) -> web.Response:
    """Render a template with the common context (staff, CSRF token, role labels)."""
    dash = state(request)
    staff: StaffUser | None = request.get(STAFF_KEY)
    base: dict[str, Any] = {
        "staff": staff,
        "office_name": staff.office_name if staff else "",
        "office_zone": dash.casework.offices.targets.calendar(
            staff.office_code if staff else "").zone,
        "is_supervisor": bool(staff and staff.is_supervisor),
        "csrf": csrf.token_for(request, dash.signer),
        "role_labels": ROLE_LABELS,
        "views": [],
        "current_view": None,
        "flash": None,
        "flash_kind": "ok",
    }
    base.update(context)
    return aiohttp_jinja2.render_template(template, request, base, app_key=JINJA_KEY,
                                          status=status)
