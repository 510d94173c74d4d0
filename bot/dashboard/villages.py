"""Village pages of the dashboard.

  GET /staff/desa               aggregate figures of one village or district
  GET /staff/desa/poster.pdf    printable poster of a village (also poster.png)

Scope (fail closed): a `village` account sees only its own village, a `district` account
only its kabupaten/kota (and posters of villages in it); query parameters cannot widen it.
Supervisors and admins choose a village (?desa=CODE) or district (?kab=CODE). Handlers get
403. Every count shown goes through bot.core.villages.reports.suppress (1-4 become
"<5"); there is no page of a single user or message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.core.villages.poster import pdf_to_png, poster_pdf
from bot.core.villages.reports import suppress
from bot.core.villages.service import links
from bot.dashboard.app import StaffUser, current_staff, page, state
from bot.dashboard.labels import CATEGORY_LABELS, STATUS_LABELS
from storage.models import utcnow
from storage.models.villages import Village
from storage.repositories import village_stats as stats
from storage.repositories import villages as repo

WEEKS = 12


@dataclass(frozen=True, slots=True)
class Scope:
    village: Village | None
    district_code: str | None
    district_name: str


async def _scope(request: web.Request, staff: StaffUser) -> Scope | None:
    """The village/district this request may see; None = nothing chosen (supervisor)."""
    dash = state(request)
    async with dash.bot.sessions() as db:
        if staff.role == "village":
            village = await repo.by_code(db, staff.village_code or "") \
                if staff.village_code else None
            if village is None or village.code != staff.village_code:
                raise web.HTTPNotFound()
            return Scope(village, None, village.district)
        if staff.role == "district":
            if not staff.district_code:
                raise web.HTTPNotFound()
            wanted = request.query.get("desa")
            if wanted:  # a village inside the district (posters)
                village = await repo.by_code(db, wanted)
                if village is None or village.district_code != staff.district_code:
                    raise web.HTTPNotFound()
                return Scope(village, None, village.district)
            names = [d for d in await repo.districts(db) if d[0] == staff.district_code]
            return Scope(None, staff.district_code, names[0][1] if names else "")
        if not staff.is_supervisor:
            raise web.HTTPForbidden()
        if request.query.get("desa"):
            village = await repo.by_code(db, request.query["desa"])
            if village is None:
                raise web.HTTPNotFound()
            return Scope(village, None, village.district)
        if request.query.get("kab"):
            names = [d for d in await repo.districts(db) if d[0] == request.query["kab"]]
            if not names:
                raise web.HTTPNotFound()
            return Scope(None, names[0][0], names[0][1])
    return None


async def village_page(request: web.Request) -> web.StreamResponse:
    dash, staff = state(request), current_staff(request)
    scope = await _scope(request, staff)
    async with dash.bot.sessions() as db:
        villages = list(await repo.list_villages(
            db, district_code=staff.district_code if staff.role == "district" else None)) \
            if staff.is_supervisor or staff.role == "district" else []
        figures = None
        if scope is not None:
            since = (utcnow() - timedelta(weeks=WEEKS)).date()
            figures = await stats.place_stats(
                db, village_code=scope.village.code if scope.village else None,
                district_code=scope.district_code, since=since)
    content = dash.bot.content
    shown = None
    if figures is not None:
        shown = {
            "users": suppress(figures.users),
            "topics": [(content.title(i) if content.has(i) else i, suppress(n))
                       for i, n in figures.topics],
            "complaints": [(CATEGORY_LABELS.get(c, c), STATUS_LABELS.get(s, s), suppress(n))
                           for c, s, n in figures.complaints],
            "weeks": [(w.strftime("%d-%m-%Y"), suppress(u), suppress(q))
                      for w, u, q in figures.weeks],
        }
    share = links(dash.bot.settings, content, scope.village) \
        if scope is not None and scope.village is not None else None
    return page(request, "desa.html", scope=scope, shown=shown, villages=villages,
                share=share, weeks=WEEKS)


async def poster(request: web.Request) -> web.StreamResponse:
    """GET /staff/desa/poster.{pdf,png}: the poster of the village in scope."""
    dash, staff = state(request), current_staff(request)
    scope = await _scope(request, staff)
    if scope is None or scope.village is None:
        raise web.HTTPNotFound()
    village = scope.village
    share = links(dash.bot.settings, dash.bot.content, village)
    pdf = poster_pdf(dash.bot.content, village, share)
    kind = request.match_info["kind"]
    body, mime = (pdf, "application/pdf") if kind == "pdf" else (pdf_to_png(pdf), "image/png")
    return web.Response(body=body, content_type=mime, headers={
        "Content-Disposition":
            f'attachment; filename="poster-{village.referral_code}.{kind}"'})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/desa", village_page)
    app.router.add_get(r"/desa/poster.{kind:pdf|png}", poster)
