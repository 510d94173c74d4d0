"""Natural-language understanding: normalisation, emergency net, classifier, Rasa adapter."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.nlu.classifier import IntentClassifier, load_cached, load_or_train, remember
from bot.core.nlu.entities import NO_ENTITIES, Entities, EntityExtractor
from bot.core.nlu.normalise import Normaliser
from bot.core.nlu.rasa import RasaClient
from bot.core.nlu.safety import EmergencyNet
from bot.core.nlu.train import train_apart
from bot.core.nlu.training_data import read_examples

log = logging.getLogger(__name__)
EMERGENCY = "emergency"
# An emergency that the classifier ranks second with at least this probability is taken
# as the intent: a false alarm costs a hotline message, a miss can cost a life.
EMERGENCY_SECOND_GUESS = 0.3
# A greeting or thanks wrapped around a question ("Wilujeng enjing, punten bade naros, KUR
# ... sabaraha? Hatur nuhun.") is the question: read without its courtesy words, the
# message is taken as the intent of the rest when that has at least two words and its
# classifier ranks it at least this probable.
COURTESY_INTENTS = frozenset({"greet", "thanks", "goodbye"})
COURTESY_REST_CONFIDENCE = 0.3
# ... unless the classifier is this sure the whole message is the courtesy: what is left of
# "udah dulu ya kak, madam udah manggil" or "ahlan, assalamualaikum kak, saya lagi di
# Dammam" is a remark, not a question (nor an emergency) to answer in its place
COURTESY_SURE = 0.8
# what is left of "halo gan ada orang ga" or "makasih bot smg berkah" is small talk, not
# a question to answer in place of the greeting or thanks
NOT_A_QUESTION = COURTESY_INTENTS | {"out_of_scope", "bot_challenge", "human_handoff"}


def is_emergency_key(key: str) -> bool:
    """An emergency answer: reply key `emergency` or `emergency.<subtype>`."""
    return key == EMERGENCY or key.startswith(EMERGENCY + ".")


@dataclass(frozen=True, slots=True)
class Parse:
    text: str
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    by_safety_net: bool = False
    entities: Entities = NO_ENTITIES
    normal: str = ""  # the normalised text (what the classifier and the rules read)


class NLU:
    """Turns a message into an intent with a confidence; emergencies are never missed."""

    def __init__(self, normaliser: Normaliser, classifier: IntentClassifier,
                 emergency: EmergencyNet, rasa: RasaClient | None = None,
                 entities: EntityExtractor | None = None) -> None:
        self.normalise = normaliser
        self.classifier = classifier
        self.emergency = emergency
        self.rasa = rasa
        self.entities = entities or EntityExtractor({})

    @classmethod
    def load(cls, intents_dir: Path, cache_dir: Path | None = None,
             rasa_url: str | None = None) -> NLU:
        normaliser = Normaliser.load(intents_dir / "normalisation.yml")
        classifier = load_cached(intents_dir, cache_dir)
        if classifier is None and cache_dir is not None and train_apart(intents_dir, cache_dir):
            classifier = load_cached(intents_dir, cache_dir)  # trained by a child process
        if classifier is None:
            classifier = load_or_train(read_examples(intents_dir), normaliser, cache_dir)
            remember(classifier, intents_dir, cache_dir)
        emergency = EmergencyNet.load(intents_dir / "emergency.yml")
        entities = EntityExtractor.load(intents_dir / "entities.yml", normaliser)
        return cls(normaliser, classifier, emergency,
                   RasaClient(rasa_url) if rasa_url else None, entities)

    def parse(self, text: str) -> Parse:
        """Synchronous parse with the embedded classifier (no Rasa)."""
        normal = self.normalise(text)
        return self._finish(text, normal, self.classifier.rank(normal))

    def parse_many(self, texts: Sequence[str]) -> list[Parse]:
        """`parse` for many texts with one call to the classifier."""
        normals = [self.normalise(text) for text in texts]
        rankings = self.classifier.rank_many(normals) if texts else []
        return [self._finish(t, n, r) for t, n, r in zip(texts, normals, rankings, strict=True)]

    async def aparse(self, text: str) -> Parse:
        """Parse, asking Rasa first when configured (falling back to the embedded model)."""
        normal = self.normalise(text)
        ranking: list[tuple[str, float]] | None = None
        if self.rasa is not None:
            try:
                ranking = await self.rasa.rank(text)
            except Exception as exc:  # Rasa down: the embedded model answers
                log.warning("rasa parse failed, using embedded classifier: %s", exc)
        return self._finish(text, normal, ranking or self.classifier.rank(normal))

    def _finish(self, text: str, normal: str, ranking: list[tuple[str, float]]) -> Parse:
        if not ranking:
            ranking = [("out_of_scope", 0.0)]
        if ranking[0][0] in COURTESY_INTENTS and ranking[0][1] < COURTESY_SURE:
            ranking = self._question_inside(normal) or ranking
        found = self.entities(text, normal)
        if self.emergency.matches(normal):  # the net counts even when the model agrees
            rest = tuple(r for r in ranking if r[0] != EMERGENCY)
            return Parse(text, EMERGENCY, 1.0, ((EMERGENCY, 1.0), *rest), True, found, normal)
        if self.emergency.settled(normal):  # an event told as over is not an emergency
            ranking = [r for r in ranking if r[0] != EMERGENCY] or [("out_of_scope", 0.0)]
        second = ranking[1] if len(ranking) > 1 else None
        if second and second[0] == EMERGENCY and second[1] >= EMERGENCY_SECOND_GUESS:
            return Parse(text, EMERGENCY, second[1], (second, ranking[0], *ranking[2:]),
                         False, found, normal)
        intent, confidence = ranking[0]
        return Parse(text, intent, confidence, tuple(ranking), False, found, normal)

    def _question_inside(self, normal: str) -> list[tuple[str, float]] | None:
        """The ranking of a message's question without its greeting or thanks, if it has one."""
        rest = self.normalise.without_courtesy(normal)
        if rest == normal or len(rest.split()) < 2:
            return None
        ranking = self.classifier.rank(rest)
        if (not ranking or ranking[0][0] in NOT_A_QUESTION
                or ranking[0][1] < COURTESY_REST_CONFIDENCE):
            return None
        return ranking
