"""NLU benchmark on the held-out set (tests/nlu_heldout/heldout.yml, never trained on).

Trains and scores, side by side in one run:
  ours          config.yml (its NLU pipeline)
  rasa-default  the pipeline `rasa init` writes, on the same training data
  tfidf-logreg  TF-IDF word+char n-grams with logistic regression (scikit-learn)
and prints topic accuracy, macro-F1, out-of-scope rejection, training time and confusions.

    python scripts/bench_nlu.py [--only ours] [--keep]
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import yaml  # noqa: E402

from bot.topics import TOPICS  # noqa: E402

HELDOUT = ROOT / "tests" / "nlu_heldout" / "heldout.yml"
REJECT = {"out_of_scope", "nlu_fallback"}

RASA_DEFAULT = """
recipe: default.v1
language: en
pipeline:
- name: WhitespaceTokenizer
- name: RegexFeaturizer
- name: LexicalSyntacticFeaturizer
- name: CountVectorsFeaturizer
- name: CountVectorsFeaturizer
  analyzer: char_wb
  min_ngram: 1
  max_ngram: 4
- name: DIETClassifier
  epochs: 100
  constrain_similarities: true
- name: EntitySynonymMapper
- name: ResponseSelector
  epochs: 100
  constrain_similarities: true
- name: FallbackClassifier
  threshold: 0.3
  ambiguity_threshold: 0.1
policies:
- name: RulePolicy
"""


def cold(config_text: str) -> str:
    """The config with our classifier's fit cache switched off, so its training time is a real fit."""
    config = yaml.safe_load(config_text)
    for component in config.get("pipeline") or []:
        if component.get("name", "").endswith("LinearIntentClassifier"):
            component["cache_dir"] = None
    return yaml.safe_dump(config, sort_keys=False)


def load_examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file; retrieval intents keep their base name."""
    doc = yaml.safe_load(path.read_text()) or {}
    out = []
    for block in doc.get("nlu") or []:
        if "intent" not in block:
            continue
        intent = block["intent"].split("/")[0]
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append((line[2:].strip(), intent))
    return out


def training_examples() -> List[Tuple[str, str]]:
    return [ex for f in sorted((ROOT / "data" / "nlu").rglob("*.yml")) for ex in load_examples(f)]


def train_rasa(config_text: str, workdir: Path) -> Tuple[Callable[[str], str], float]:
    """Train an NLU-only Rasa model; returns (predict, seconds)."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    cfg = workdir / "config.yml"
    cfg.write_text(config_text)
    # a cache of its own: Rasa's shared training cache would make a second run look instant
    os.environ["RASA_CACHE_DIRECTORY"] = str(workdir / "rasa-cache")
    start = time.perf_counter()
    model = train_nlu(str(cfg), str(ROOT / "data"), str(workdir), domain=str(ROOT / "domain.yml"))
    seconds = time.perf_counter() - start
    agent = Agent.load(model)

    def predict(text: str) -> str:
        result = asyncio.run(agent.parse_message(text))
        if os.environ.get("BENCH_DUMP"):
            ranking = [(r["name"], round(r["confidence"], 3)) for r in result.get("intent_ranking", [])[:3]]
            with open(os.environ["BENCH_DUMP"], "a") as f:
                f.write(f"{text}\t{result['intent']['name']}\t{ranking}\n")
        return result["intent"]["name"]

    return predict, seconds


def train_tfidf(_workdir: Path) -> Tuple[Callable[[str], str], float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    texts, labels = zip(*training_examples())
    start = time.perf_counter()
    model = make_pipeline(
        FeatureUnion([("w", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                      ("c", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True))]),
        LogisticRegression(max_iter=2000, C=10),
    )
    model.fit(texts, labels)
    seconds = time.perf_counter() - start

    def predict(text: str) -> str:
        proba = model.predict_proba([text])[0]
        best = proba.argmax()
        return "nlu_fallback" if proba[best] < 0.3 else model.classes_[best]

    return predict, seconds


def score(predict: Callable[[str], str], heldout: List[Tuple[str, str]]) -> Dict:
    from sklearn.metrics import f1_score

    gold, pred = [], []
    topic_ok = topic_n = oos_ok = oos_n = 0
    confusions: collections.Counter = collections.Counter()
    for text, intent in heldout:
        p = predict(text)
        p_label = p if p in TOPICS else "out_of_scope"
        gold.append(intent)
        pred.append(p_label)
        if intent in TOPICS:
            topic_n += 1
            topic_ok += p == intent
            if p != intent:
                confusions[(intent, p)] += 1
        else:
            oos_n += 1
            oos_ok += p in REJECT
            if p not in REJECT:
                confusions[("out_of_scope", p)] += 1
    return {
        "topic_accuracy": topic_ok / topic_n, "macro_f1": f1_score(gold, pred, average="macro"),
        "oos_rejection": oos_ok / oos_n, "n_topic": topic_n, "n_oos": oos_n, "confusions": confusions,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=("ours", "rasa-default", "tfidf-logreg"), action="append")
    ap.add_argument("--config", default=str(ROOT / "config.yml"), help="our config to score (for experiments)")
    args = ap.parse_args()
    heldout = load_examples(HELDOUT)
    train_texts = {t.lower() for t, _ in training_examples()}
    leaked = [t for t, _ in heldout if t.lower() in train_texts]
    print(f"held-out: {len(heldout)} utterances ({sum(i in TOPICS for _, i in heldout)} topic, "
          f"{sum(i not in TOPICS for _, i in heldout)} out-of-scope); also in training data: {len(leaked)}")
    ours = cold(Path(args.config).read_text())
    systems = {"ours": lambda w: train_rasa(ours, w), "rasa-default": lambda w: train_rasa(RASA_DEFAULT, w),
               "tfidf-logreg": train_tfidf}
    results = {}
    for name, trainer in systems.items():
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            print(f"training {name} ...", flush=True)
            predict, seconds = trainer(Path(tmp))
            results[name] = {**score(predict, heldout), "train_s": seconds}
    print()
    print(f"{'system':<14} {'topic acc':>9} {'macro-F1':>9} {'OOS reject':>10} {'train s':>8}")
    for name, r in results.items():
        print(f"{name:<14} {r['topic_accuracy']:>9.1%} {r['macro_f1']:>9.3f} {r['oos_rejection']:>10.1%} {r['train_s']:>8.1f}")
    for name, r in results.items():
        print(f"\nconfusions, {name} (gold -> predicted: count):")
        for (g, p), n in r["confusions"].most_common(15):
            print(f"  {g} -> {p}: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
