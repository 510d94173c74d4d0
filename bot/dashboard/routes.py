"""Route table of the /staff sub-application and its construction from a built Bot.

Routes (all under /staff; every POST needs the CSRF token):
  GET  /login, POST /login, POST /logout
  GET/POST /enrol, /totp, /enrol/{token}   second factor (bot.dashboard.second_factor)
  GET  /akun, POST /akun/{id}/{action}     supervisors: reset-2fa | disable (accounts)
  GET  /                          -> /queue/new
  GET  /queue/{view}              new | mine | waiting | urgent | overdue | all (supervisor)
  GET  /queue-stamp               JSON change stamp polled by the queue page
  GET  /case/{id}                 case page: details, conversation, evidence, event log
  GET  /case/{id}/stamp           JSON change stamp polled by the case page
  GET  /case/{id}/media/{media}   an evidence file of the case (audited; ?download=1)
  POST /case/{id}/{action}        claim | reply | note | release | reassign | escalate |
                                  resolve | close | reopen | release-bot
  POST /claim-next                take the most urgent, then oldest, queued case
  GET  /export.csv                supervisors: CSV of the office's complaints
  GET  /desa, /desa/poster.pdf    village figures and poster (bot.dashboard.villages)
  GET  /peringatan, /tinjauan     early warning, content review (bot.dashboard.insights)
  GET  /angka, /angka.csv         supervisors: service figures per office (bot.dashboard.figures)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.composition import Bot
from bot.core.complaints.casework import Casework
from bot.core.complaints.rules import Offices
from bot.dashboard import (
    accounts,
    actions,
    canned,
    demo,
    evidence,
    export,
    figures,
    insights,
    labels,
    login,
    second_factor,
    views,
)
from bot.dashboard import villages as village_pages
from bot.dashboard.app import DASHBOARD_KEY, JINJA_KEY, Dashboard, middleware
from bot.dashboard.auth import LoginThrottle, Signer
from bot.ops.server_secret import secret_key

HERE = Path(__file__).resolve().parent
OFFICES_FILE = "offices.yml"


def _casework(bot: Bot) -> Casework:
    """The composition root's Casework when it provides one, else one built here."""
    existing = getattr(bot, "casework", None)
    if isinstance(existing, Casework):
        return existing
    offices = getattr(bot, "offices", None)
    if not isinstance(offices, Offices):
        offices = Offices.load(bot.settings.content_dir / OFFICES_FILE)
    minutes = getattr(bot.settings, "claim_lease_minutes", 60)
    return Casework(bot.content, offices, lease=timedelta(minutes=float(minutes)))


def build(bot: Bot) -> web.Application:
    """The /staff sub-application with its state, templates, middleware and routes."""
    public_url = bot.settings.public_url or ""
    dash = Dashboard(
        bot=bot, signer=Signer(secret_key(bot.settings)), throttle=LoginThrottle(),
        config=canned.load(bot.settings.content_dir), casework=_casework(bot),
        secure_cookies=public_url.lower().startswith("https://"),
    )
    app = web.Application(middlewares=[middleware])
    app[DASHBOARD_KEY] = dash
    env = aiohttp_jinja2.setup(
        app, app_key=JINJA_KEY, loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]), default_helpers=False,
    )
    env.globals.update(
        status_labels=labels.STATUS_LABELS, category_labels=labels.CATEGORY_LABELS,
        event_labels=labels.EVENT_LABELS, urgency_labels=labels.URGENCY_LABELS,
        affected_labels=labels.AFFECTED_LABELS, actor_labels=labels.ACTOR_LABELS,
        channel_labels=labels.CHANNEL_LABELS, verdict_labels=labels.VERDICT_LABELS,
        mime_labels=labels.MIME_LABELS, satisfaction_labels=labels.SATISFACTION_LABELS,
        topic=lambda code: bot.content.title(code) if code and bot.content.has(code)
        else (code or "-"),
    delivery_labels=labels.DELIVERY_LABELS, delivery_notes=labels.DELIVERY_NOTES,
    )
    env.filters["labels"] = labels.label_list
    env.globals["event_body"] = labels.event_body
    env.filters["age"] = views.age
    env.filters["when"] = views.when
    app.router.add_get("/login", login.login_form)
    app.router.add_post("/login", login.login_submit)
    app.router.add_post("/logout", login.logout)
    second_factor.setup_routes(app)
    accounts.setup_routes(app)
    app.router.add_get("/", views.home)
    app.router.add_get("/queue/{view}", views.queue)
    app.router.add_get("/queue-stamp", views.stamp)
    app.router.add_get(r"/case/{id}", views.case_page)
    app.router.add_get(r"/case/{id}/stamp", views.case_stamp)
    evidence.setup_routes(app)  # /case/{id}/media/{media_id}
    app.router.add_post(r"/case/{id}/{action}", actions.case_action)
    app.router.add_post("/claim-next", actions.claim_next)
    app.router.add_get("/export.csv", export.export_csv)
    village_pages.setup_routes(app)  # /desa, /desa/poster.{pdf,png}
    insights.setup_routes(app)  # /peringatan(.csv), /tinjauan(.yml)
    figures.setup_routes(app)  # /angka(.csv): service figures per office
    app.router.add_static("/static/", HERE / "static")
    app.on_startup.append(demo.on_startup)
    return app
