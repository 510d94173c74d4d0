"""The fitted classifier's arithmetic without scikit-learn: TF-IDF features and the linear
model's softmax in numpy, from the fitted pipeline's vocabularies and weights.

Importing scikit-learn (and SciPy under it) costs about 90 MB of memory and a second of
start-up in every process; the numbers a fitted TF-IDF + logistic regression pipeline
needs to classify are a few MB. `export` takes them from the pipeline once (when it is
trained or cached); `CompactModel.predict_proba` gives the pipeline's probabilities
(tests/core/nlu/test_compact.py checks them against `Pipeline.predict_proba`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where arrays are made (and by unpickling them)
    import numpy as np
    import numpy.typing as npt
    from sklearn.pipeline import Pipeline

    Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Features:
    """One fitted TfidfVectorizer: how it cuts text, its vocabulary and idf weights."""

    analyzer: str  # "char_wb" or "word"
    ngram_range: tuple[int, int]
    token_pattern: str
    vocabulary: dict[str, int]
    idf: Floats
    offset: int  # its first column in the concatenated features

    def grams(self, text: str) -> list[str]:
        low, high = self.ngram_range
        text = text.lower()
        if self.analyzer == "char_wb":
            return _char_wb(text, low, high)
        return _word_ngrams(re.findall(self.token_pattern, text), low, high)

    def add(self, text: str, weights: dict[int, float]) -> None:
        """Add this block's l2-normalised sublinear TF-IDF values, by global column."""
        counts = Counter(i for i in map(self.vocabulary.get, self.grams(text)) if i is not None)
        values = {i: (1.0 + math.log(n)) * float(self.idf[i]) for i, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        for i, v in values.items():
            weights[self.offset + i] = v / norm


def _char_wb(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's `char_wb` n-grams: inside words padded with one space each side."""
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            grams.extend(padded[i:i + n] for i in range(max(1, len(padded) - n + 1)))
            if len(padded) <= n:  # a short word counts once, as itself
                break
    return grams


def _word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


@dataclass(frozen=True, slots=True)
class CompactModel:
    """TF-IDF blocks + multinomial logistic regression, as plain arrays."""

    blocks: tuple[Features, ...]
    coef_t: Floats  # (features, classes): the model's coef_ transposed
    intercept: Floats
    classes: tuple[str, ...]

    def predict_proba(self, texts: Sequence[str]) -> Floats:
        import numpy as np

        rows = np.empty((len(texts), len(self.classes)))
        for r, text in enumerate(texts):
            weights: dict[int, float] = {}
            for block in self.blocks:
                block.add(text, weights)
            scores = self.intercept.copy()
            if weights:
                columns = np.fromiter(weights, dtype=np.intp, count=len(weights))
                values = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
                scores += values @ self.coef_t[columns]
            scores -= scores.max()
            np.exp(scores, out=scores)
            rows[r] = scores / scores.sum()
        return rows


def export(pipeline: Pipeline) -> CompactModel:
    """The numbers of a fitted FeatureUnion(TfidfVectorizer...) + LogisticRegression."""
    import numpy as np

    union, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
    blocks: list[Features] = []
    offset = 0
    for _name, vectorizer in union.transformer_list:
        blocks.append(_features(vectorizer, offset))
        offset += len(vectorizer.vocabulary_)
    coef = np.asarray(model.coef_, dtype=np.float64)
    if coef.shape[0] == 1:  # two classes: one score; softmax of (-s/2, s/2) is expit(s)
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        intercept = np.asarray(model.intercept_, dtype=np.float64)
    return CompactModel(tuple(blocks), np.ascontiguousarray(coef.T), intercept,
                        tuple(str(c) for c in model.classes_))


def _features(vectorizer: Any, offset: int) -> Features:
    import numpy as np

    expected = {"lowercase": True, "sublinear_tf": True, "use_idf": True, "norm": "l2",
                "binary": False, "stop_words": None, "preprocessor": None,
                "tokenizer": None, "strip_accents": None}
    wrong = {k: v for k, v in expected.items() if getattr(vectorizer, k) != v}
    if wrong or vectorizer.analyzer not in ("char_wb", "word"):
        raise ValueError(f"cannot export a vectorizer with {wrong or vectorizer.analyzer}")
    return Features(vectorizer.analyzer, tuple(vectorizer.ngram_range),
                    vectorizer.token_pattern,
                    {str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
                    np.asarray(vectorizer.idf_, dtype=np.float64), offset)
