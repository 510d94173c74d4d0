"""The embedded intent classifier: TF-IDF char + word n-grams and a linear model.

Deterministic, trains in seconds, and is cached on disk by a hash of its training data.
scikit-learn is imported only to train (or to unpickle a cached pipeline): a model is
used through its compact export (bot.core.nlu.compact, numpy only), so no command and no
server pays scikit-learn's memory and start-up for classifying.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.nlu.compact import CompactModel, export
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
    """Predicts a ranked list of (intent, probability) for normalised text.

    Ranking runs on the compact export of the fitted pipeline (numpy only); the
    scikit-learn pipeline itself is unpickled only when asked for (`pipeline`)."""

    def __init__(self, model: CompactModel, *, pipeline: Pipeline | None = None,
                 pipeline_file: Path | None = None) -> None:
        self.model = model
        self.intents: list[str] = list(model.classes)
        self._pipeline = pipeline
        self._pipeline_file = pipeline_file

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline, pipeline_file: Path | None = None
                      ) -> IntentClassifier:
        return cls(export(pipeline), pipeline=pipeline, pipeline_file=pipeline_file)

    @classmethod
    def train(cls, texts: Sequence[str], intents: Sequence[str]) -> IntentClassifier:
        pipeline = build_pipeline()
        pipeline.fit(list(texts), list(intents))
        return cls.from_pipeline(pipeline)

    @property
    def pipeline(self) -> Pipeline:
        """The fitted scikit-learn pipeline (loads scikit-learn; for tools and baselines)."""
        if self._pipeline is None:
            if self._pipeline_file is None:
                raise LookupError("this classifier was loaded without its pipeline")
            with self._pipeline_file.open("rb") as fh:
                self._pipeline = pickle.load(fh)
        return self._pipeline

    def rank(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        return self.rank_many([text], top)[0]

    def rank_many(self, texts: Sequence[str], top: int = 3) -> list[list[tuple[str, float]]]:
        probabilities = self.model.predict_proba(list(texts))
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
    """The model cached for exactly these training files and this code, if any: its
    compact export (numpy only), made from the cached pipeline when only that exists."""
    if cache_dir is None:
        return None
    stem = cache_dir / f"nlu-src-{source_hash(intents_dir)}"
    compact, full = stem.with_suffix(".compact"), stem.with_suffix(".pkl")
    try:
        with compact.open("rb") as fh:
            model = pickle.load(fh)
        if isinstance(model, CompactModel):
            return IntentClassifier(model, pipeline_file=full)
    except FileNotFoundError:
        pass
    except Exception:  # a stale or broken cache is rebuilt, never fatal
        compact.unlink(missing_ok=True)
    try:
        with full.open("rb") as fh:
            classifier = IntentClassifier.from_pipeline(pickle.load(fh), full)
    except FileNotFoundError:
        return None
    except Exception:
        full.unlink(missing_ok=True)
        return None
    _dump(classifier.model, compact)
    return classifier


def remember(classifier: IntentClassifier, intents_dir: Path, cache_dir: Path | None) -> None:
    """Cache the model under the fingerprint of its sources (see `load_cached`): the
    scikit-learn pipeline (`.pkl`) and its compact export (`.compact`)."""
    if cache_dir is not None:
        stem = cache_dir / f"nlu-src-{source_hash(intents_dir)}"
        _dump(classifier.pipeline, stem.with_suffix(".pkl"))
        _dump(classifier.model, stem.with_suffix(".compact"))


def _dump(value: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(value, fh)
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
                return IntentClassifier.from_pipeline(pickle.load(fh), cache_file)
        except Exception:  # a stale or broken cache is rebuilt, never fatal
            cache_file.unlink(missing_ok=True)
    classifier = IntentClassifier.train(texts, intents)
    if cache_file:
        _dump(classifier.pipeline, cache_file)
    return classifier
