"""Security review checks: headers on every page, rate limits, secure cookies, secrets."""

from __future__ import annotations

import pytest

from bot.composition import Bot
from bot.ops.guards import TokenBucket
from bot.settings import PROJECT_ROOT, Settings
from tests.ops.conftest import Client

PAGES = ["/", "/healthz", "/readyz", "/metrics", "/staff/login", "/staff/queue/new",
         "/no-such-page", "/static/chat.js", "/api/chat/updates"]


@pytest.mark.parametrize("path", PAGES)
async def test_security_headers_on_every_page(client: Client, path: str) -> None:
    response = await client.get(path, allow_redirects=False)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-Id"]


async def test_chat_is_rate_limited_per_ip(bot: Bot) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web import create_app

    bot.settings.rate_limit_chat_per_s, bot.settings.rate_limit_chat_burst = 0.01, 5
    app = create_app(bot)
    app.on_cleanup.clear()
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        statuses = []
        for _ in range(7):
            response = await client.post("/api/chat", json={"user": "r1", "button": "costs"})
            statuses.append(response.status)
        assert statuses == [200] * 5 + [429] * 2
        assert int(response.headers["Retry-After"]) >= 1
        assert (await response.json()) == {"error": "rate_limited"}
        webhook = await client.post("/webhook/telegram", data=b"{}")  # its own bucket
        assert webhook.status != 429


def test_token_bucket_refills_and_is_bounded() -> None:
    bucket = TokenBucket(rate=2.0, burst=3)
    assert [bucket.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a", now=0.0) == pytest.approx(0.5)
    assert bucket.take("a", now=0.6) == 0.0
    assert bucket.take("b", now=0.6) == 0.0  # per key


async def test_dashboard_cookies_are_httponly_samesite_and_secure_over_https(
        nlu: object, sqlite_url: str) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.composition import build_bot
    from bot.web import create_app

    settings = Settings(database_url=sqlite_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False, secret_key="k" * 40,
                        public_url="https://jalur-aman.example")
    bot = await build_bot(settings, nlu=nlu)  # type: ignore[arg-type]
    async with TestClient(TestServer(create_app(bot), host="127.0.0.1")) as client:
        response = await client.get("/staff/login")
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
        refused = await client.post("/staff/login", data={"username": "a", "password": "b"})
        assert refused.status in (400, 403)  # no CSRF token
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_server_header_names_no_version_and_no_hsts_over_http(client: Client) -> None:
    for path in ("/", "/healthz", "/no-such-page", "/staff/login"):
        response = await client.get(path, allow_redirects=False)
        assert response.headers["Server"] == "jalur-aman", path
        assert "Strict-Transport-Security" not in response.headers


async def test_metrics_need_a_token_unless_asked_on_loopback(client: Client, bot: Bot) -> None:
    assert (await client.get("/metrics")).status == 200  # loopback, not forwarded
    proxied = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert proxied.status == 404
    bot.settings.metrics_token = "scrape-token-123"
    app_client = await _fresh_client(bot)
    try:
        headers = {"X-Forwarded-For": "203.0.113.5"}
        assert (await app_client.get("/metrics", headers=headers)).status == 404
        headers["Authorization"] = "Bearer scrape-token-123"
        assert (await app_client.get("/metrics", headers=headers)).status == 200
    finally:
        await app_client.close()


async def _fresh_client(bot: Bot) -> Client:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web import create_app

    app = create_app(bot)
    app.on_cleanup.clear()
    test_client: Client = TestClient(TestServer(app, host="127.0.0.1"))
    await test_client.start_server()
    return test_client


def test_no_secret_is_hard_coded() -> None:
    """Secrets come only from the environment: Settings has no default for any of them."""
    for name in ("secret_key", "telegram_token", "telegram_webhook_secret",
                 "whatsapp_token", "whatsapp_app_secret", "whatsapp_verify_token"):
        assert Settings.model_fields[name].default is None, name
