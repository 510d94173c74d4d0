"""The agency check conversation through the engine: reply keys, state and stored reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import select

from bot.composition import Bot, build_bot
from bot.core.agencies.service import AgencyService
from bot.core.messages import Message, Reply
from bot.core.nlu import NLU
from bot.demo import DEMO_REGISTER
from bot.settings import Settings
from storage.models import User
from storage.models.agencies import AgencyReport


async def say(bot: Bot, text: str | None = None, button: str | None = None,
              user: str = "u1") -> list[Reply]:
    return await bot.engine.handle(Message("web", user, text=text, button=button))


def keys(replies: list[Reply]) -> list[str]:
    return [r.key for r in replies]


async def reports(bot: Bot) -> list[AgencyReport]:
    async with bot.sessions() as session:
        return list((await session.execute(select(AgencyReport))).scalars())


async def state(bot: Bot, user: str = "u1") -> dict[str, object]:
    async with bot.sessions() as session:
        row = (await session.execute(select(User).where(User.external_id == user))).scalar_one()
        return dict(row.state)


@pytest.fixture
async def agency_bot(bot: Bot) -> Bot:
    """The bot with the sample register imported (not marked demo) and a greeted user."""
    await AgencyService(bot.sessions).import_file(DEMO_REGISTER, as_of=date(2026, 11, 1),
                                                  source="daftar uji")
    await say(bot, "halo")
    return bot


async def test_menu_button_asks_then_checks_a_registered_agency(agency_bot: Bot) -> None:
    assert keys(await say(agency_bot, button="agency_check")) == ["agency_check.ask"]
    assert (await state(agency_bot))["flow"] == "agency"
    assert keys(await say(agency_bot, "PT Cipta Tunas")) == ["agency_check.registered"]
    assert "flow" not in await state(agency_bot)


async def test_intent_without_a_name_asks_for_one(agency_bot: Bot) -> None:
    assert keys(await say(agency_bot, "cek agen")) == ["agency_check.ask"]
    assert keys(await say(agency_bot, "kep 917 men 2025")) == ["agency_check.license_problem"]


async def test_name_in_a_question_is_checked_at_once(agency_bot: Bot) -> None:
    assert keys(await say(agency_bot, "PT Cipta Tunas resmi ga?")) == ["agency_check.registered"]
    assert keys(await say(agency_bot, "Daya Nawa Bestari Global itu resmi gak min")) == [
        "agency_check.registered"]


async def test_look_alike_in_free_text_is_never_registered(agency_bot: Bot) -> None:
    replies = await say(agency_bot, "pt cipta tunas jaya resmi ga")
    assert keys(replies) == ["agency_check.ambiguous"]
    replies = await say(agency_bot, "PT Cipta Bestari Sejahtera resmi ga")
    assert keys(replies) == ["agency_check.ambiguous"]


async def test_ambiguous_offers_candidates_and_a_pick_checks_it(agency_bot: Bot) -> None:
    replies = await say(agency_bot, "agen saya namanya pt cipta tunsa")
    assert keys(replies) == ["agency_check.ambiguous"]
    payloads = [b.payload for b in replies[0].buttons]
    assert payloads[0] == "agency:pick:0" and payloads[-1] == "agency:none"
    assert keys(await say(agency_bot, button="agency:pick:0")) == ["agency_check.registered"]


async def test_none_of_the_candidates_leads_to_a_report(agency_bot: Bot) -> None:
    await say(agency_bot, "pt cipta tunsa")
    replies = await say(agency_bot, button="agency:none")
    assert keys(replies) == ["agency_check.not_found"]
    assert keys(await say(agency_bot, button="agency:report")) == ["agency_check.reported"]
    [report] = await reports(agency_bot)
    assert report.verdict == "not_found" and "cipta tunsa" in report.query


async def test_not_found_report_is_stored_with_user_and_district(agency_bot: Bot) -> None:
    replies = await say(agency_bot, "agen saya namanya PT Maju Mundur Sejahtera")
    assert keys(replies) == ["agency_check.not_found"]
    assert "agency:report" in [b.payload for b in replies[0].buttons]
    assert keys(await say(agency_bot, button="agency:report")) == ["agency_check.reported"]
    [report] = await reports(agency_bot)
    assert report.verdict == "not_found" and report.name_key == "maju mundur sejahtera"
    assert report.user_id is not None and report.channel == "web"
    assert report.created_at is not None
    # reporting twice needs a new check first
    assert keys(await say(agency_bot, button="agency:report")) == [
        "agency_check.nothing_to_report"]
    assert len(await reports(agency_bot)) == 1


async def test_licence_problem_can_be_reported(agency_bot: Bot) -> None:
    replies = await say(agency_bot, "PT Sarana Tunas Nawa resmi ga")
    assert keys(replies) == ["agency_check.license_problem"]
    await say(agency_bot, button="agency:report")
    [report] = await reports(agency_bot)
    assert report.verdict == "license_problem" and report.matched_name == "PT Sarana Tunas Nawa"


async def test_cancel_leaves_the_flow(agency_bot: Bot) -> None:
    await say(agency_bot, button="agency_check")
    assert keys(await say(agency_bot, "batal")) == ["menu"]
    assert "flow" not in await state(agency_bot)


async def test_other_messages_are_not_taken_for_agencies(agency_bot: Bot) -> None:
    assert keys(await say(agency_bot, "brp biaya ke taiwan min")) == ["costs"]


async def test_without_a_register_the_bot_says_so(bot: Bot) -> None:
    await say(bot, "halo")
    assert keys(await say(bot, button="agency_check")) == ["agency_check.ask"]
    assert keys(await say(bot, "PT Cipta Tunas")) == ["agency_check.unavailable"]


@pytest.fixture
async def demo_bot(settings: Settings, nlu: NLU) -> AsyncIterator[Bot]:
    built = await build_bot(settings.model_copy(update={"seed_demo_data": True}), nlu=nlu)
    yield built
    await built.close()


async def test_demo_register_is_marked_fictitious_in_every_answer(demo_bot: Bot) -> None:
    demo_note = demo_bot.content.entries["agency_check.register_demo"].text.split("(")[0]
    await say(demo_bot, "halo")
    queries = ("PT Cipta Tunas", "PT Cipta Bestari", "pt cipta tunsa", "PT Tidak Ada Sama Sekali")
    for query in queries:
        await say(demo_bot, button="agency_check")
        [reply] = await say(demo_bot, query)
        assert reply.key.startswith("agency_check.")
        assert demo_note in reply.text


async def test_register_names_are_shown_with_the_legal_form_first(agency_bot: Bot) -> None:
    """The register holds "Adhi Tirta Cipta, PT"; the answer names "PT Adhi Tirta Cipta"."""
    [reply] = await say(agency_bot, "PT Adhi Tirta Cipta resmi ga?")
    assert reply.key == "agency_check.registered"
    assert "PT Adhi Tirta Cipta" in reply.text and "Cipta, PT" not in reply.text


async def test_candidate_buttons_are_short_and_never_cut_a_name(agency_bot: Bot) -> None:
    [reply] = await say(agency_bot, "agen saya namanya pt andalan pesona padma")
    assert reply.key == "agency_check.ambiguous"
    picks = [b for b in reply.buttons if b.payload.startswith("agency:pick:")]
    assert picks
    for i, button in enumerate(picks, 1):
        assert len(button.title) <= 20 and "…" not in button.title
        assert str(i) in button.title
        assert f"\n{i}. PT " in reply.text  # the names are in the numbered list
