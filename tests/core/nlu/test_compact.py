"""The compact (numpy-only) model gives the fitted scikit-learn pipeline's probabilities,
and a process that loads the model with a cache folder (training it in a child process
when it is not cached yet) classifies without importing scikit-learn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.core.nlu import NLU
from bot.core.nlu.classifier import IntentClassifier
from bot.core.nlu.training_data import read_examples
from bot.settings import PROJECT_ROOT

ODD_TEXTS = ["", "   ", "a", "ok", "x y", "gaji 15jt di taiwan?? 😊", "pt. maju-jaya (abadi)",
             "saya  mau\tkerja\nke  korea", "ⓐⓑⓒ résumé naïve", "1 2 3 4 5 6 7 8 9 0"]


def test_compact_model_gives_the_pipelines_probabilities(nlu: NLU) -> None:
    texts = [nlu.normalise(e.text) for e in read_examples(PROJECT_ROOT / "intents")][::7]
    texts += ODD_TEXTS
    ours = nlu.classifier.model.predict_proba(texts)
    theirs = nlu.classifier.pipeline.predict_proba(texts)
    assert list(nlu.classifier.model.classes) == [str(c) for c in
                                                  nlu.classifier.pipeline.classes_]
    assert abs(ours - theirs).max() < 1e-9


def test_two_intent_model_gives_the_pipelines_probabilities() -> None:
    classifier = IntentClassifier.train(
        ["mau kerja ke korea", "syarat ke taiwan", "lapor agen nipu", "agen bawa kabur uang"],
        ["job", "job", "complaint", "complaint"])
    texts = ["kerja korea", "agen nipu saya", *ODD_TEXTS]
    ours = classifier.model.predict_proba(texts)
    assert abs(ours - classifier.pipeline.predict_proba(texts)).max() < 1e-9


def test_a_process_with_a_cache_folder_never_loads_scikit_learn(nlu: NLU,
                                                                tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from bot.core.nlu import NLU\n"
        "nlu = NLU.load(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "print(nlu.parse('syarat kerja ke taiwan').intent)\n"
        "print(any(m.split('.')[0] in ('sklearn', 'scipy') for m in sys.modules))\n"
    )
    args = [sys.executable, "-c", script, str(PROJECT_ROOT / "intents"), str(tmp_path)]
    first = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    again = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    assert first[0] == again[0] == nlu.parse("syarat kerja ke taiwan").intent
    assert (first[1], again[1]) == ("False", "False")  # a child process trained it
    assert {p.suffix for p in tmp_path.glob("nlu-src-*")} == {".pkl", ".compact"}
