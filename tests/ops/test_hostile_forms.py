"""Dashboard forms and query strings with NUL bytes, broken UTF-8 or wrong field types
give a clear 4xx (or the form's own answer), never a 5xx, on SQLite and PostgreSQL."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.composition import build_bot
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app

BODIES = [b"username=a%00b&password=x", b"username=%ED%A0%80&password=%ff%fe",
          b"username=\x00&password=\x00", b"username=siti&username=budi&password=",
          b"csrf=%00", b"%", b"=&=&&", b"username=" + b"a" * 5000]


async def test_hostile_forms_get_no_5xx(database_url: str, nlu: NLU) -> None:
    settings = Settings(database_url=database_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False, secret_key="forms")
    bot = await build_bot(settings, nlu=nlu)
    async with TestClient(TestServer(create_app(bot), host="127.0.0.1")) as client:
        page = await (await client.get("/staff/login")).text()
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0].encode()
        for body in BODIES:
            for data in (body, b"csrf=" + token + b"&" + body):
                response = await client.post(
                    "/staff/login", data=data, allow_redirects=False,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
                assert response.status < 500, (data, response.status)
        for query in ("?done=%00", "?done=%ED%A0%80", "?x=\u0000"):
            response = await client.get(f"/staff/login{query}", allow_redirects=False)
            assert response.status < 500
