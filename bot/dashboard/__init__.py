"""Staff dashboard at /staff: BP3MI handlers work their office's complaint queue.

`setup(app, bot)` mounts the dashboard as a sub-application of the main aiohttp app
(see bot.web.create_app). Pages are server-rendered Jinja2 templates, no JS framework.
"""

from __future__ import annotations

from aiohttp import web

from bot.composition import Bot
from bot.dashboard.routes import build


def setup(app: web.Application, bot: Bot) -> None:
    app.add_subapp("/staff", build(bot))
