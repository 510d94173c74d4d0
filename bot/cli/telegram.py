"""`jalur-aman telegram set-webhook` and `jalur-aman telegram poll` (development).

set-webhook registers PUBLIC_URL + /webhook/telegram with the secret token.
poll deletes the webhook and long-polls getUpdates: each update goes through the same
durable inbox, worker and outbox sender as the webhook, so behaviour is identical.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from bot.channels import telegram
from bot.channels.setup import runtime
from bot.composition import build_bot
from bot.settings import get_settings

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("telegram", help="Telegram channel: webhook, polling")
    commands = parser.add_subparsers(dest="telegram_command", required=True)
    hook = commands.add_parser("set-webhook", help="register PUBLIC_URL/webhook/telegram")
    hook.add_argument("--drop-pending", action="store_true", help="drop queued updates")
    hook.set_defaults(handler=_set_webhook)
    poll = commands.add_parser("poll", help="long polling for development")
    poll.add_argument("--timeout", type=int, default=25, help="getUpdates long-poll seconds")
    poll.set_defaults(handler=_poll)


def _set_webhook(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.telegram_token or not settings.public_url \
            or not settings.telegram_webhook_secret:
        print("Set JALUR_AMAN_TELEGRAM_TOKEN, JALUR_AMAN_PUBLIC_URL and "
              "JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET first.")
        return 2
    if problems := [e for e in settings.errors() if "TELEGRAM" in e]:
        print("\n".join(problems))
        return 2
    url = settings.public_url.rstrip("/") + telegram.PATH

    async def run() -> None:
        bot = telegram.make_bot(settings)
        try:
            await bot.set_webhook(url, secret_token=settings.telegram_webhook_secret,
                                  allowed_updates=telegram.ALLOWED_UPDATES,
                                  drop_pending_updates=args.drop_pending)
        finally:
            await bot.session.close()

    asyncio.run(run())
    print(f"webhook: {url}")
    return 0


def _poll(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.telegram_token:
        print("Set JALUR_AMAN_TELEGRAM_TOKEN first.")
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_poll_loop(args.timeout))
    return 0


async def _poll_loop(timeout: int) -> None:
    settings = get_settings()
    app_bot = await build_bot(settings)
    channel = telegram.TelegramChannel(settings, app_bot.sessions)
    rt = runtime(channel, app_bot)
    rt.start()
    offset: int | None = None
    try:
        await channel.bot.delete_webhook(drop_pending_updates=False)
        print("Polling Telegram (Ctrl+C to stop)…", flush=True)
        while True:
            try:
                updates = await channel.bot.get_updates(
                    offset=offset, timeout=timeout, allowed_updates=telegram.ALLOWED_UPDATES,
                    request_timeout=timeout + 10)
            except Exception as exc:  # network trouble: wait and poll again
                log.warning("getUpdates failed: %s", exc)
                await asyncio.sleep(3)
                continue
            for update in updates:
                data = update.model_dump(mode="json", exclude_none=True, by_alias=True)
                await telegram.receive(channel.stores, data)
                if update.callback_query is not None:
                    with contextlib.suppress(Exception):
                        await channel.bot.answer_callback_query(update.callback_query.id)
                offset = update.update_id + 1
            if updates:
                rt.worker.notify()
    finally:
        await rt.stop()
        await app_bot.close()
