"""Training the embedded model in a short-lived child process.

Training imports scikit-learn and SciPy and needs a few hundred MB for a few seconds; a
server (or any long-lived process) that trained in-process would keep that memory for
good. With a cache folder, `NLU.load` lets a child process train and cache the model, then
loads only its compact export. The child runs `train_into_cache`.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from bot.core.nlu.classifier import load_or_train, remember
from bot.core.nlu.normalise import Normaliser
from bot.core.nlu.training_data import read_examples

log = logging.getLogger(__name__)
CHILD = "import sys; from bot.core.nlu.train import main; main(sys.argv[1:])"


def train_into_cache(intents_dir: Path, cache_dir: Path) -> None:
    """Train on `intents_dir` (or reuse a cached pipeline) and cache it for `load_cached`."""
    normaliser = Normaliser.load(intents_dir / "normalisation.yml")
    classifier = load_or_train(read_examples(intents_dir), normaliser, cache_dir)
    remember(classifier, intents_dir, cache_dir)


def train_apart(intents_dir: Path, cache_dir: Path) -> bool:
    """Run `train_into_cache` in a child process; False when it failed (the caller then
    trains in-process)."""
    log.info("training the NLU model in a child process (no cached model yet)")
    done = subprocess.run([sys.executable, "-c", CHILD, str(intents_dir), str(cache_dir)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=False)
    if done.returncode:
        log.warning("training in a child process failed (%s); training here",
                    done.returncode)
    return done.returncode == 0


def main(argv: list[str]) -> None:
    train_into_cache(Path(argv[0]), Path(argv[1]))
