"""Complaint lifecycle rules, triage and routing (pure)."""

from __future__ import annotations

import pytest

from bot.core.complaints.rules import STATUSES, TRANSITIONS, Offices, can_transition, triage
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def offices() -> Offices:
    return Offices.load(PROJECT_ROOT / "content" / "offices.yml")


def test_lifecycle_allows_only_the_documented_moves() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert can_transition("new", "assigned")
    assert can_transition("assigned", "waiting_on_complainant")
    assert can_transition("waiting_on_complainant", "assigned")
    assert can_transition("resolved", "reopened") and can_transition("closed", "reopened")
    assert not can_transition("new", "resolved")
    assert not can_transition("closed", "assigned")
    assert not can_transition("resolved", "assigned")


@pytest.mark.parametrize(("category", "text", "country", "reason"), [
    ("violence", "", None, "violence"),
    ("other", "saya disekap di rumah agen", None, "detention"),
    ("other", "adik saya umur 16 mau diberangkatkan", None, "minor"),
    ("documents_held", "", "Malaysia", "passport_held"),
    ("other", "paspor saya ditahan majikan", None, "passport_held"),
    ("other", "tolong saya", None, "emergency_words"),
])
def test_triage_marks_urgent_cases(category: str, text: str, country: str | None,
                                   reason: str) -> None:
    assert reason in triage(category, text, country=country)


def test_triage_leaves_ordinary_complaints_normal() -> None:
    assert triage("overcharging", "biaya diminta 20 juta", country="Taiwan") == []
    assert triage("documents_held", "ijazah ditahan PT", country="Indonesia") == []
    assert triage("other", "", emergency_seen=True) == ["emergency_seen"]


def test_routing_by_province_with_default(offices: Offices) -> None:
    assert offices.route("Jawa Timur") == "BP3MI-JATIM"
    assert offices.route("jatim") == "BP3MI-JATIM"
    assert offices.route("saya dari kab. Indramayu, Jawa Barat") == "BP3MI-JABAR"
    assert offices.route("Papua Pegunungan") == offices.default
    assert offices.route(None) == offices.default
    assert offices.match_province("ntb") == "Nusa Tenggara Barat"
    assert offices.default in offices.names
