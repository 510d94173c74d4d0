"""Runtime configuration, read from JALUR_AMAN_* environment variables (and a .env file)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Where `jalur-aman serve` listens without --host/--port; the base of web chat links while
# PUBLIC_URL is unset.
DEFAULT_SERVE_URL = "http://127.0.0.1:8080"


class Settings(BaseSettings):
    """All settings of one running bot. A channel whose token is unset is off."""

    model_config = SettingsConfigDict(
        env_prefix="JALUR_AMAN_", env_file=".env", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///./var/jalur-aman.db"
    content_dir: Path = PROJECT_ROOT / "content"
    intents_dir: Path = PROJECT_ROOT / "intents"
    cache_dir: Path = Path("./var/cache")

    telegram_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base: str | None = None
    whatsapp_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_base: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v26.0"  # Graph API version (the newest in 2026)
    # Template sent when the 24-hour customer-service window has closed: it only invites
    # the user back ("ada balasan dari petugas..."), without parameters; the message
    # itself is sent when they write back. Unset: the message waits, without an invite.
    whatsapp_template_name: str | None = None
    whatsapp_template_language: str = "id"
    public_url: str | None = None
    # Share links and posters of villages: t.me/<username>, wa.me/<number>.
    telegram_bot_username: str | None = None
    whatsapp_public_number: str | None = None
    secret_key: str | None = None
    rasa_url: str | None = None

    # Files users send (photos, PDFs): where they are kept, the largest accepted, and
    # after how many days they are deleted (evidence of closed cases included).
    media_dir: Path = Path("./var/media")
    media_max_bytes: int = 10 * 1024 * 1024
    media_retention_days: int = 365

    nlu_threshold: float = 0.35
    max_message_chars: int = 2000
    # Fictitious demo data (sample register, villages, a demo staff account): only when
    # asked (`serve --demo`, which `make run` passes), never by default.
    seed_demo_data: bool = False

    # Staff dashboard: a session ends after STAFF_IDLE_MINUTES without a request and
    # STAFF_SESSION_HOURS after sign-in; the second factor (TOTP) is always required of
    # supervisors and admins, and of handlers (and village/district officials) unless
    # STAFF_TOTP_HANDLERS is false.
    staff_idle_minutes: float = 30.0
    staff_session_hours: float = 12.0
    staff_totp_handlers: bool = True
    # /metrics answers loopback clients (not forwarded by a proxy); others need
    # `Authorization: Bearer <METRICS_TOKEN>` (unset: refused).
    metrics_token: str | None = None

    # Operations: log format (text | json), per-IP token buckets for /api/chat
    # and /webhook/* (requests per second and burst; 0 turns a limit off), and whether to
    # take the client address from X-Forwarded-For (only behind our own proxy).
    log_format: str = "text"
    rate_limit_chat_per_s: float = 5.0
    rate_limit_chat_burst: int = 60
    rate_limit_webhook_per_s: float = 200.0
    rate_limit_webhook_burst: int = 1000
    trust_forwarded_for: bool = False

    # Complaints: how often each worker runs the overdue check (seconds; 0 = off) and the
    # Telegram chat (a staff group's id) told about overdue cases (needs TELEGRAM_TOKEN).
    overdue_check_seconds: float = 60.0
    staff_telegram_chat_id: str | None = None


    @property
    def whatsapp_graph_url(self) -> str:
        """The Graph API root with its version (a base that already ends in one is kept)."""
        base = self.whatsapp_api_base.rstrip("/")
        if re.search(r"/v\d+\.\d+$", base):
            return base
        return f"{base}/{self.whatsapp_api_version.strip('/')}"

    def errors(self) -> list[str]:
        """Settings that would make a channel refuse everything: `serve` stops on them,
        with a message naming the setting."""
        found = []
        secret = self.telegram_webhook_secret
        if self.telegram_token and secret and not TELEGRAM_SECRET.fullmatch(secret):
            found.append("JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, "
                         "_ and - (1-256 characters); Telegram refuses setWebhook otherwise")
        if self.whatsapp_token and not self.whatsapp_app_secret:
            found.append("JALUR_AMAN_WHATSAPP_APP_SECRET is unset: every WhatsApp webhook "
                         "would be refused with 403 (its signature cannot be checked)")
        if not re.fullmatch(r"v\d+\.\d+", self.whatsapp_api_version.strip("/")):
            found.append("JALUR_AMAN_WHATSAPP_API_VERSION must look like v26.0")
        return found

    def warnings(self) -> list[str]:
        """Settings that degrade a channel: logged at start-up."""
        found = []
        if self.telegram_token and not self.telegram_webhook_secret:
            found.append("JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET is unset: the Telegram webhook "
                         "refuses every update (polling still works)")
        if self.whatsapp_token and not self.whatsapp_template_name:
            found.append("JALUR_AMAN_WHATSAPP_TEMPLATE_NAME is unset: replies after the "
                         "24-hour window wait until the user writes again, with no "
                         "invitation sent")
        return found


TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def get_settings() -> Settings:
    """Settings from the environment (a fresh object each call, so tests can patch env)."""
    return Settings()
