"""The chat detector takes forwarded adverts and leaves questions to the NLU."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.adverts.detector import looks_like_advert
from bot.core.adverts.lexicon import load_lexicon
from bot.settings import PROJECT_ROOT
from tests.core.adverts.conftest import ADVERTS


def _questions() -> list[str]:
    found = []
    for path in sorted(Path(PROJECT_ROOT / "intents").glob("nlu*.yml")):
        for item in yaml.safe_load(path.read_text("utf-8")).get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    found.append(text)
    return found


def test_every_written_advert_is_taken_for_an_advert() -> None:
    lexicon = load_lexicon()
    assert [a["id"] for a in ADVERTS if not looks_like_advert(a["text"], lexicon)] == []


def test_training_questions_are_not_taken_for_adverts() -> None:
    lexicon = load_lexicon()
    questions = _questions()
    taken = [q for q in questions if looks_like_advert(q, lexicon)]
    assert len(questions) > 1000 and len(taken) <= len(questions) // 500, taken[:5]
