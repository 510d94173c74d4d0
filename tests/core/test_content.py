"""content/ is complete and consistent: every intent answered, sourced, no typed numbers."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.core.content import Content
from bot.settings import PROJECT_ROOT

INTENTS = [
    "greet", "goodbye", "thanks", "help", "bot_challenge", "human_handoff", "requirements",
    "documents", "procedure", "costs", "passport", "visa", "red_flags", "agency_check",
    "agency_info", "destination_info", "g2g_program", "independent_placement", "training",
    "social_security", "worker_rights", "job_vacancy", "complaint", "complaint_status",
    "emergency", "contact_office", "return_home", "out_of_scope",
]
SMALL_TALK = {"greet", "goodbye", "thanks", "help", "bot_challenge", "out_of_scope"}
PHONE_LIKE = re.compile(r"\d[\d\s-]{6,}\d")


@pytest.fixture(scope="module")
def content() -> Content:
    return Content.load(PROJECT_ROOT / "content")


def test_content_has_no_consistency_problems(content: Content) -> None:
    assert content.problems() == []


@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_has_an_answer(content: Content, intent: str) -> None:
    assert content.has(intent)


@pytest.mark.parametrize("intent", sorted(set(INTENTS) - SMALL_TALK))
def test_factual_answers_carry_source_and_review_date(content: Content, intent: str) -> None:
    entry = content.entries[intent]
    assert entry.source and entry.reviewed


def test_no_phone_number_is_typed_into_a_text(content: Content) -> None:
    typed = [e.key for e in content.entries.values() if PHONE_LIKE.search(e.text)]
    assert typed == []


def test_rendered_answer_shows_source_line(content: Content) -> None:
    reply = content.render("documents")
    assert "Sumber:" in reply.text and reply.buttons


def test_emergency_answer_fills_hotline_numbers(content: Content) -> None:
    reply = content.render("emergency")
    assert content.contacts["kp2mi_hotline"] in reply.text
    assert "{" not in reply.text


def test_main_menu_offers_the_core_topics(content: Content) -> None:
    payloads = {b.payload for b in content.render("menu").buttons}
    assert {"requirements", "costs", "agency_check", "complaint", "emergency"} <= payloads


def test_every_emergency_subtype_gives_a_kp2mi_hotline_first(content: Content) -> None:
    hotlines = (content.contacts["kp2mi_hotline"], content.contacts["kp2mi_abroad"])
    subtypes = [k for k in content.entries if k.startswith("emergency.")]
    assert len(subtypes) >= 7
    for key in subtypes:
        first_lines = "\n".join(content.render(key).text.splitlines()[:4])
        assert any(number in first_lines for number in hotlines), key


def test_suicide_answer_gives_the_mental_health_lines(content: Content) -> None:
    text = content.render("emergency.suicide").text
    for name in ("healing119_url", "mental_health_line", "kp2mi_abroad"):
        assert content.contacts[name] in text


def test_specific_answers_are_sourced_and_select_on_known_intents_and_entities(
        content: Content) -> None:
    lexicon = yaml.safe_load((PROJECT_ROOT / "intents" / "entities.yml").read_text())["lexicon"]
    for key, when in content.specific:
        entry = content.entries[key]
        assert entry.source and entry.reviewed, key
        assert when.intents <= set(INTENTS), key
        assert key.split(".", 1)[0] in INTENTS, key
        for group in when.groups:
            for kind, value in group:
                assert value in lexicon.get(kind, {}), f"{key}: {kind}:{value}"
