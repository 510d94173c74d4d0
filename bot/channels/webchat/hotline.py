"""GET /darurat: a static page of emergency hotlines, rendered once at start from content
(the "emergency" answer with its numbers from content/contacts.yml), so it is served even
while the database is down. The web chat page links to it when a message cannot be sent.
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.core.content import Content

PATH = "/darurat"
EMERGENCY = "emergency"
PAGE_KEY = web.AppKey("hotline_page", str)


def render_page(content: Content) -> str:
    reply = content.render(EMERGENCY)
    body, _, source = reply.text.partition("\n\nSumber: ")
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in body.splitlines() if line.strip())
    note = f'<p class="source">Sumber: {html.escape(source)}</p>' if source else ""
    return ("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>Darurat — Jalur Aman</title>"
            "<link rel=\"stylesheet\" href=\"/static/chat.css\"></head><body>"
            "<main class=\"phone hotline\"><header class=\"bar\"><h1>Nomor darurat</h1></header>"
            f"<section class=\"log\" data-key=\"{EMERGENCY}\">{lines}{note}"
            "<p><a href=\"/\">Kembali ke obrolan</a></p></section></main></body></html>")


async def hotline_page(request: web.Request) -> web.Response:
    return web.Response(text=request.app[PAGE_KEY], content_type="text/html",
                        headers={"Cache-Control": "public, max-age=300"})


def setup(app: web.Application, content: Content) -> None:
    app[PAGE_KEY] = render_page(content)
    app.router.add_get(PATH, hotline_page)
