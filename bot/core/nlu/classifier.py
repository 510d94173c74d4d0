"""The embedded intent classifier: TF-IDF char + word n-grams and a linear model.

Deterministic, trains in seconds, and is cached on disk by a hash of its training data.
scikit-learn is imported only when a model is built or unpickled, so a command that never
classifies (`complaints list`, `agencies check`) does not pay for loading it.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.nlu.training_data import Example

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_VERSION = "tfidf-lr-1"


def build_pipeline() -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                      sublinear_tf=True, min_df=1)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2),
                                      sublinear_tf=True, token_pattern=r"[a-z0-9]+")),
        ]
    )
    model = LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")
    return Pipeline([("features", features), ("model", model)])


class IntentClassifier:
    """Predicts a ranked list of (intent, probability) for normalised text."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.intents: list[str] = [str(c) for c in pipeline.classes_]

    @classmethod
    def train(cls, texts: Sequence[str], intents: Sequence[str]) -> IntentClassifier:
        pipeline = build_pipeline()
        pipeline.fit(list(texts), list(intents))
        return cls(pipeline)

    def rank(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        return self.rank_many([text], top)[0]

    def rank_many(self, texts: Sequence[str], top: int = 3) -> list[list[tuple[str, float]]]:
        probabilities = self.pipeline.predict_proba(list(texts))
        ranked = []
        for row in probabilities:
            order = row.argsort()[::-1][:top]
            ranked.append([(self.intents[i], float(row[i])) for i in order])
        return ranked


def training_hash(texts: Sequence[str], intents: Sequence[str]) -> str:
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for text, intent in zip(texts, intents, strict=True):
        digest.update(f"{intent}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def source_hash(intents_dir: Path) -> str:
    """A fingerprint of everything the model is built from: the training files and the
    code that reads, normalises and trains on them. Cheap (bytes only, no YAML parse), so a
    cold start finds the cached model without reading the training data."""
    digest = hashlib.sha256(MODEL_VERSION.encode())
    code = Path(__file__).resolve().parent
    for path in [*sorted(intents_dir.glob("*.yml")), *sorted(code.glob("*.py"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load_cached(intents_dir: Path, cache_dir: Path | None) -> IntentClassifier | None:
    """The model cached for exactly these training files and this code, if any."""
    if cache_dir is None:
        return None
    path = cache_dir / f"nlu-src-{source_hash(intents_dir)}.pkl"
    try:
        with path.open("rb") as fh:
            return IntentClassifier(pickle.load(fh))
    except FileNotFoundError:
        return None
    except Exception:  # a stale or broken cache is rebuilt, never fatal
        path.unlink(missing_ok=True)
        return None


def remember(classifier: IntentClassifier, intents_dir: Path, cache_dir: Path | None) -> None:
    """Cache the model under the fingerprint of its sources (see `load_cached`)."""
    if cache_dir is not None:
        _dump(classifier, cache_dir / f"nlu-src-{source_hash(intents_dir)}.pkl")


def _dump(classifier: IntentClassifier, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(classifier.pipeline, fh)
    tmp.replace(path)


def load_or_train(examples: Sequence[Example], normalise: Callable[[str], str],
                  cache_dir: Path | None) -> IntentClassifier:
    """Train on normalised examples, reusing a pickled model with the same data hash."""
    texts = [normalise(ex.text) for ex in examples]
    intents = [ex.intent for ex in examples]
    cache_file = cache_dir / f"nlu-{training_hash(texts, intents)}.pkl" if cache_dir else None
    if cache_file and cache_file.exists():
        try:
            with cache_file.open("rb") as fh:
                pipeline = pickle.load(fh)
            return IntentClassifier(pipeline)
        except Exception:  # a stale or broken cache is rebuilt, never fatal
            cache_file.unlink(missing_ok=True)
    classifier = IntentClassifier.train(texts, intents)
    if cache_file:
        _dump(classifier, cache_file)
    return classifier
