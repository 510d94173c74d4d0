"""Ticket status in two steps: the ticket alone, then its secret code in the next message."""

from __future__ import annotations

import re

from bot.composition import Bot
from bot.core.complaints import tickets
from bot.core.messages import Reply
from tests.core.complaints.test_intake import HAPPY, keys, run, say, state


async def _file(bot: Bot, user: str) -> tuple[str, str]:
    """File a complaint for `user`; returns its (ticket, secret) from the reply."""
    await run(bot, HAPPY, user=user)
    [filed] = await say(bot, button="complaint:pick:confirm:yes", user=user)
    ticket = tickets.find_ticket(filed.text)
    secret = re.search(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b", filed.text.replace(ticket or "", ""))
    assert ticket is not None and secret is not None
    return ticket, secret.group(0)


def _only(replies: list[Reply]) -> str:
    """The answer's key (not the welcome a first message also gets)."""
    return [r.key for r in replies if not r.key.startswith("welcome")][-1]


async def test_ticket_then_secret_answers_the_status(bot: Bot) -> None:
    ticket, secret = await _file(bot, "owner")
    assert _only(await say(bot, text=ticket, user="other")) == "complaint_status.ask_secret"
    assert _only(await say(bot, text=secret.lower(), user="other")) == "complaint_status.new"
    assert "status_ticket" not in await state(bot, "other")


async def test_wrong_secret_and_unknown_ticket_get_the_same_answers(bot: Bot) -> None:
    ticket, _secret = await _file(bot, "owner")
    assert _only(await say(bot, text=ticket, user="other")) == "complaint_status.ask_secret"
    assert _only(await say(bot, text="ABCD-EFGH", user="other")) == "complaint_status.not_found"
    assert _only(await say(bot, text="JA-ZZZZ-ZZ", user="other")) == "complaint_status.ask_secret"
    assert _only(await say(bot, text="ABCD EFGH", user="other")) == "complaint_status.not_found"


async def test_other_message_after_a_ticket_is_answered_normally(bot: Bot) -> None:
    ticket, secret = await _file(bot, "owner")
    await say(bot, text=ticket, user="other")
    assert keys(await say(bot, text="berapa biaya kerja ke taiwan", user="other"))[0] \
        .startswith("costs")
    assert "status_ticket" not in await state(bot, "other")
    assert _only(await say(bot, text=secret, user="other")) != "complaint_status.new"


async def test_the_owner_sending_a_ticket_alone_gets_the_status(bot: Bot) -> None:
    ticket, _secret = await _file(bot, "owner")
    assert _only(await say(bot, text=ticket, user="owner")) == "complaint_status.new"
