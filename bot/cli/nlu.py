"""`jalur-aman nlu parse --json` and `jalur-aman nlu evaluate [FILE] [--folds K]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.core.nlu import NLU
from bot.settings import Settings, get_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("nlu", help="intent classifier tools")
    nsub = parser.add_subparsers(dest="nlu_command", required=True)
    parse = nsub.add_parser("parse", help="classify messages read from stdin, one per line")
    parse.add_argument("--json", action="store_true", help="one JSON object per line")
    parse.set_defaults(handler=_parse)
    ev = nsub.add_parser("evaluate", help="accuracy, per-intent P/R/F1 and confusions")
    ev.add_argument("file", nargs="?", type=Path,
                    help="Rasa YAML or TSV (intent<TAB>text); default: k-fold on intents/")
    ev.add_argument("--folds", type=int, default=5, help="folds for cross-validation")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.set_defaults(handler=_evaluate)


def _load(settings: Settings) -> NLU:
    """The model alone: no database, no engine (a one-message `nlu parse` starts fast)."""
    return NLU.load(settings.intents_dir, settings.cache_dir, settings.rasa_url)


def _parse(args: argparse.Namespace) -> int:
    nlu = _load(get_settings())
    for line in sys.stdin:
        text = line.rstrip("\n")
        result = nlu.parse(text)
        if args.json:
            print(json.dumps({"text": text, "intent": result.intent,
                              "confidence": round(result.confidence, 4),
                              "entities": result.entities.as_dict()}, ensure_ascii=False),
                  flush=True)
        else:
            print(f"{result.intent}\t{result.confidence:.2f}\t{text}", flush=True)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from bot.core.nlu.evaluate import cross_validate, score
    from bot.core.nlu.training_data import read_examples

    settings = get_settings()
    nlu = _load(settings)
    if args.file:
        examples = read_examples(args.file)
        predicted = [nlu.parse(ex.text).intent for ex in examples]
        report = score(examples, predicted)
    else:
        report = cross_validate(read_examples(settings.intents_dir), nlu.normalise, args.folds)
    if args.json:
        print(json.dumps({"examples": report.total, "accuracy": report.accuracy,
                          "lenient_accuracy": report.lenient_accuracy,
                          "emergency_recall": report.emergency_recall,
                          "per_intent": report.per_intent,
                          "confusions": report.confusions[:20]}, ensure_ascii=False))
    else:
        print(report.as_text())
    return 0
