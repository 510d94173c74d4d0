"""The dialogue engine: reply keys and persisted state for typical and hostile input."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.composition import Bot, build_bot
from bot.core.messages import Message
from bot.core.nlu import NLU
from bot.settings import Settings
from storage.models import Unanswered, User


def text(body: str, user: str = "u1") -> Message:
    return Message("web", user, text=body)


def keys(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [r.key for r in replies]


async def test_first_contact_gets_the_welcome(bot: Bot) -> None:
    replies = await bot.engine.handle(text("halo"))
    assert keys(replies) == ["welcome"]


async def test_first_question_is_answered_before_a_brief_welcome(bot: Bot) -> None:
    replies = await bot.engine.handle(text("brp biaya ke taiwan min"))
    assert keys(replies) == ["costs", "welcome.brief"]
    assert len(replies[1].text.splitlines()) <= 2


async def test_first_message_out_of_scope_gets_the_full_welcome_first(bot: Bot) -> None:
    replies = await bot.engine.handle(text("skor bola tadi malam brp"))
    assert keys(replies) == ["welcome", "out_of_scope"]


async def test_numbered_choice_after_a_brief_welcome_picks_the_answer_button(bot: Bot) -> None:
    replies = await bot.engine.handle(text("brp biaya ke taiwan min"))
    first = replies[0].buttons[0].payload
    assert keys(await bot.engine.handle(text("1"))) == [first]


async def test_welcome_is_shown_only_once(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    replies = await bot.engine.handle(text("syarat jd tkw apa aja"))
    assert keys(replies) == ["requirements"]


async def test_emergency_is_answered_first_even_for_a_new_user(bot: Bot) -> None:
    replies = await bot.engine.handle(text("majikan ambil paspor sy"))
    assert keys(replies) == ["emergency.passport"]


async def test_emergency_inside_a_long_message_is_not_lost(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    long = "cerita saya panjang " * 300 + " saya dipukul majikan tolong"
    replies = await bot.engine.handle(text(long))
    assert keys(replies) == ["emergency.violence"]


async def test_button_payload_renders_its_entry(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    replies = await bot.engine.handle(Message("web", "u1", button="documents"))
    assert keys(replies) == ["documents"]


async def test_number_picks_a_button_of_the_last_reply(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    menu = await bot.engine.handle(Message("web", "u1", button="menu"))
    second = menu[-1].buttons[1].payload
    replies = await bot.engine.handle(text("2"))
    assert replies[0].key == second


async def test_superscript_digit_after_a_menu_is_answered_not_crashed(bot: Bot) -> None:
    await bot.engine.handle(Message("web", "u1", button="menu"))
    replies = await bot.engine.handle(text("²"))  # isdigit() but not int(): found by fuzzing
    assert replies and replies[0].key != "menu"


async def test_batch_of_turns_answers_each_message_like_one_turn(bot: Bot) -> None:
    messages = [text("syarat kerja ke malaysia apa", "b1"), text("cara bikin paspor", "b2"),
                Message("web", "b3", button="documents")]
    parses = await bot.engine.preparse(messages)
    async with bot.sessions() as session, session.begin():
        batched = [await bot.engine.turn(session, m, parse=p)
                   for m, p in zip(messages, parses, strict=True)]
    single = [await bot.engine.handle(Message(m.channel, m.external_id + "-1", text=m.text,
                                              button=m.button)) for m in messages]
    assert [keys(r) for r in batched] == [keys(r) for r in single]
    assert parses[2] is None  # a button is not classified


async def test_unknown_button_payload_shows_the_menu(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    replies = await bot.engine.handle(Message("web", "u1", button="no-such-thing"))
    assert keys(replies) == ["menu"]


async def test_low_confidence_falls_back_and_is_stored_for_review(
    settings: Settings, nlu: NLU
) -> None:
    strict = await build_bot(settings.model_copy(update={"nlu_threshold": 0.999}), nlu=nlu)
    question = "kalau kerja di kapal pesiar gimana"
    replies = await strict.engine.handle(text(question))
    async with strict.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Unanswered).where(Unanswered.text == question)
        )
    await strict.close()
    assert keys(replies) == ["welcome", "fallback"]
    assert 2 <= len(replies[1].buttons) <= 4 and replies[1].buttons[-1].payload == "menu"
    assert count == 1


async def test_out_of_scope_is_answered_and_stored_for_review(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    replies = await bot.engine.handle(text("skor bola tadi malam brp"))
    async with bot.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Unanswered))
    assert keys(replies) == ["out_of_scope"]
    assert count == 1


async def test_empty_message_gets_a_polite_answer(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    assert keys(await bot.engine.handle(text("   "))) == ["error.empty"]


async def test_ten_thousand_characters_get_a_polite_answer(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    assert keys(await bot.engine.handle(text("a" * 10_000))) == ["error.too_long"]


async def test_emoji_only_message_gets_a_polite_answer(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    assert keys(await bot.engine.handle(text("🙏🙏😭"))) == ["error.unsupported"]


async def test_binary_looking_message_gets_a_polite_answer(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    assert keys(await bot.engine.handle(text("\x00\x01\x02\xff\ufffd"))) == ["error.unsupported"]


async def test_right_to_left_text_gets_a_polite_answer(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    replies = await bot.engine.handle(text("مرحبا كيف حالك"))
    assert keys(replies) == ["error.unsupported"]


async def test_sticker_or_voice_gets_please_type(bot: Bot) -> None:
    await bot.engine.handle(text("halo"))
    replies = await bot.engine.handle(Message("web", "u1", media="sticker"))
    assert keys(replies) == ["error.unsupported"]


async def test_state_survives_a_restart(settings: Settings, nlu: NLU) -> None:
    first = await build_bot(settings, nlu=nlu)
    await first.engine.handle(text("halo"))
    await first.close()
    second = await build_bot(settings, nlu=nlu)
    replies = await second.engine.handle(text("halo"))
    await second.close()
    assert "welcome" not in keys(replies)


async def test_users_are_kept_apart_by_channel(bot: Bot) -> None:
    await bot.engine.handle(Message("web", "same", text="halo"))
    replies = await bot.engine.handle(Message("console", "same", text="halo"))
    assert keys(replies) == ["welcome"]
    async with bot.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(User))
    assert count == 2


async def test_a_user_id_with_nul_or_a_lone_surrogate_is_answered_and_stored_clean(
        database_url: str, settings: Settings, nlu: NLU) -> None:
    settings.database_url = database_url  # PostgreSQL refuses both characters in text
    bot = await build_bot(settings, nlu=nlu)
    try:
        replies = await bot.engine.handle(Message("console", "a\x00b\ud800", text="halo"))
        assert keys(replies) == ["welcome"]
        async with bot.sessions() as session:
            stored = (await session.scalars(select(User.external_id))).all()
        assert stored == ["ab\ufffd"]
    finally:
        await bot.close()
