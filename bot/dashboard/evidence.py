"""Evidence files on the case page: GET /staff/case/{id}/media/{media_id} serves the bytes
of a file attached to that case, to staff of the case's office only (another office, or a
file not attached to the case: 404), with the stored type, a Content-Disposition, nosniff
and no caching; every access (thumbnail or download) is written to the staff audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dashboard.app import current_staff, state
from bot.dashboard.login import client_ip
from storage import media as media_repo
from storage.media import is_image
from storage.models.complaints import Evidence
from storage.repositories import complaint_views
from storage.repositories import dashboard_queries as dq

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
              "image/webp": "webp", "application/pdf": "pdf"}


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One evidence entry as the case page shows it."""

    id: int
    channel: str
    mime: str | None
    size: int | None
    media_id: str | None  # stored in the media store: thumbnail and download
    state: str  # "stored" | "rejected" | "pending" (still at the platform)

    @property
    def image(self) -> bool:
        return self.media_id is not None and is_image(self.mime or "")


async def items(session: AsyncSession, complaint_id: int) -> list[EvidenceItem]:
    """The case's evidence, with what can be opened."""
    found = []
    for e in await complaint_views.evidence(session, complaint_id):
        row = await media_repo.get(session, e.media_ref)
        state_ = ("stored" if row is not None else
                  "rejected" if e.media_ref.startswith("rejected:") else "pending")
        found.append(EvidenceItem(e.id, e.channel, row.mime if row else e.mime,
                                  row.size if row else e.size, row.id if row else None, state_))
    return found


async def serve_media(request: web.Request) -> web.StreamResponse:
    dash, staff = state(request), current_staff(request)
    media_id = request.match_info["media_id"]
    download = request.query.get("download") == "1"
    async with dash.bot.sessions() as db, db.begin():
        complaint = await complaint_views.get(db, int(request.match_info["id"]),
                                              office_code=staff.office_code)
        if complaint is None:  # another office's case looks like a missing one
            raise web.HTTPNotFound()
        attached = [e for e in await complaint_views.evidence(db, complaint.id)
                    if _media_id(e) == media_id]
        row = await media_repo.get(db, media_repo.REF_PREFIX + media_id) if attached else None
        data = dash.bot.media.read(row.id) if row is not None else None
        if row is None or data is None:
            raise web.HTTPNotFound()
        await dq.record_audit(db, action="media_download" if download else "media_view",
                              username=staff.username, staff_id=staff.id,
                              office_code=staff.office_code, ip=client_ip(request),
                              detail=f"{complaint.ticket} media:{row.id}")
    name = f"bukti-{complaint.ticket}-{row.id[:8]}.{EXTENSIONS.get(row.mime, 'bin')}"
    inline = is_image(row.mime) and not download
    return web.Response(body=data, content_type=row.mime, headers={
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    })


def _media_id(evidence: Evidence) -> str | None:
    ref = evidence.media_ref
    return ref[len(media_repo.REF_PREFIX):] if ref.startswith(media_repo.REF_PREFIX) else None


def setup_routes(app: web.Application) -> None:
    app.router.add_get(r"/case/{id:\d{1,18}}/media/{media_id:[0-9a-f]{32}}", serve_media)
