"""Evaluation of the intent classifier: accuracy, per-intent P/R/F1, confusions, k-fold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.core.nlu.classifier import IntentClassifier
from bot.core.nlu.training_data import Example


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    lenient_correct: int = 0
    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    emergency_recall: float = 1.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def lenient_accuracy(self) -> float:
        return self.lenient_correct / self.total if self.total else 0.0

    def as_text(self) -> str:
        lines = [
            f"examples: {self.total}",
            f"accuracy (strict): {self.accuracy:.3f}",
            f"accuracy (second intent allowed): {self.lenient_accuracy:.3f}",
            f"emergency recall: {self.emergency_recall:.3f}",
            "",
            f"{'intent':<24}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>6}",
        ]
        for intent, m in sorted(self.per_intent.items()):
            lines.append(f"{intent:<24}{m['precision']:>10.3f}{m['recall']:>8.3f}"
                         f"{m['f1']:>8.3f}{int(m['support']):>6}")
        if self.confusions:
            lines += ["", "top confusions (expected -> predicted: count)"]
            lines += [f"  {a} -> {b}: {n}" for a, b, n in self.confusions[:15]]
        return "\n".join(lines)


def score(examples: Sequence[Example], predicted: Sequence[str]) -> Report:
    report = Report(total=len(examples))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for ex, guess in zip(examples, predicted, strict=True):
        if guess == ex.intent:
            report.correct += 1
            tp[ex.intent] += 1
        else:
            fp[guess] += 1
            fn[ex.intent] += 1
            confusions[(ex.intent, guess)] += 1
        if guess == ex.intent or guess in ex.also:
            report.lenient_correct += 1
    for intent in sorted({ex.intent for ex in examples} | set(predicted)):
        p = tp[intent] / (tp[intent] + fp[intent]) if tp[intent] + fp[intent] else 0.0
        r = tp[intent] / (tp[intent] + fn[intent]) if tp[intent] + fn[intent] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        report.per_intent[intent] = {"precision": p, "recall": r, "f1": f1,
                                     "support": tp[intent] + fn[intent]}
    report.confusions = [(a, b, n) for (a, b), n in confusions.most_common()]
    if "emergency" in report.per_intent and report.per_intent["emergency"]["support"]:
        report.emergency_recall = report.per_intent["emergency"]["recall"]
    return report


def cross_validate(examples: Sequence[Example], normalise: Callable[[str], str],
                   folds: int = 5) -> Report:
    """Deterministic stratified-by-order k-fold: example i goes to fold i % k per intent."""
    by_fold: list[list[Example]] = [[] for _ in range(folds)]
    seen: Counter[str] = Counter()
    for ex in examples:
        by_fold[seen[ex.intent] % folds].append(ex)
        seen[ex.intent] += 1
    tested: list[Example] = []
    predicted: list[str] = []
    for k in range(folds):
        train = [ex for i, fold in enumerate(by_fold) if i != k for ex in fold]
        model = IntentClassifier.train([normalise(e.text) for e in train],
                                       [e.intent for e in train])
        ranks = model.rank_many([normalise(e.text) for e in by_fold[k]], top=1)
        tested += by_fold[k]
        predicted += [r[0][0] for r in ranks]
    return score(tested, predicted)
