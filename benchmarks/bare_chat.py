"""Bare web chat baseline for benchmarks/load.py: aiohttp, the project's own sklearn model
(`NLU.load(...).classifier.pipeline`, one `predict_proba` per turn) and one asyncpg
transaction per turn writing a row. No sessions, flows, guards or replies from content.

    JALUR_AMAN_DATABASE_URL=postgresql+asyncpg://... .venv/bin/python -m benchmarks.bare_chat \\
        --port 19201

POST /api/chat {"text": ...} -> {"token", "intent"}; GET /readyz -> 200.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import `bot` from the project root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import secrets

import asyncpg
from aiohttp import web

from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT

TABLE = ("CREATE TABLE IF NOT EXISTS bare_turns (id bigserial PRIMARY KEY, chat text NOT NULL,"
         " text text NOT NULL, intent text NOT NULL, created_at timestamptz DEFAULT now())")


def build_app(database_url: str) -> web.Application:
    pipeline = NLU.load(PROJECT_ROOT / "intents", PROJECT_ROOT / "var" / "cache"
                        ).classifier.pipeline
    classes = [str(c) for c in pipeline.classes_]
    app = web.Application()

    async def open_pool(app: web.Application) -> None:
        pool = await asyncpg.create_pool(database_url.replace("+asyncpg", ""),
                                         min_size=2, max_size=20)
        await pool.execute(TABLE)
        app["pool"] = pool

    async def close_pool(app: web.Application) -> None:
        await app["pool"].close()

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", ""))[:1000]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") \
            or secrets.token_urlsafe(16)
        probabilities = pipeline.predict_proba([text])[0]
        intent = classes[int(probabilities.argmax())]
        async with app["pool"].acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO bare_turns (chat, text, intent) VALUES ($1, $2, $3)",
                               token, text, intent)
        return web.json_response({"token": token, "intent": intent})

    async def ready(_request: web.Request) -> web.Response:
        return web.json_response({"ready": True})

    app.on_startup.append(open_pool)
    app.on_cleanup.append(close_pool)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/readyz", ready)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(build_app(os.environ["JALUR_AMAN_DATABASE_URL"]), host="127.0.0.1",
                port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
