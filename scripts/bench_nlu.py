"""NLU benchmark: what the assistant would do with text, per system, in one table.

Trains and scores, side by side in one run:
  ours          config.yml (its NLU pipeline)
  rasa-default  the pipeline `rasa init` writes, on the same training data
  tfidf-logreg  TF-IDF word+char n-grams with logistic regression (scikit-learn)
Every system's parse goes through the same decision (bot.fallback.outcome): a knowledge answer,
a flow start (self-check, feedback, deletion, handoff), "not covered yet", "did you mean",
out of scope, or conversation.

Data (bot/evaluation.py has the splits; none of it is training data):
  real questions  tests/real_questions/{uk,au_general}.tsv: copied from public pages, with the
                  acceptable topic ids (or none). `test` split: never tuned on. `dev`: tuning.
  HWU64           ../shared/corpora/hwu64 (CC BY 4.0, Liu et al. 2019): everyday requests;
                  60% trains the negatives, `dev` calibrates, `test` measures.
  word-sharing    tests/real_questions/word_sharing.tsv: out-of-scope lines sharing a word with a topic.
  held-out        tests/nlu_heldout/*.yml: our own phrasings in voices unlike the training data.
  annotators      tests/real_questions/annotators/: each annotator's own labels of the real
                  questions; printed under the table as an annotator reference (how a careful reader
                  scores on the same rows), not a system.

    python scripts/bench_nlu.py [--only ours] [--split test|dev]
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
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import yaml  # noqa: E402

from bot import evaluation  # noqa: E402
from bot.fallback import decide, outcome  # noqa: E402
from bot.knowledge import load_topics  # noqa: E402
from bot.topics import TOPICS  # noqa: E402

HELDOUT_DIR = ROOT / "tests" / "nlu_heldout"
Parse = Tuple[str, List[Dict[str, Any]]]  # intent after the fallback threshold, ranking

RASA_DEFAULT = """
recipe: default.v1
language: en
importers:
- name: bot.rasa_ext.knowledge_importer.KnowledgeImporter
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


load_examples = evaluation.nlu_file_examples


def training_examples() -> List[Tuple[str, str]]:
    files = [ex for f in sorted((ROOT / "data" / "nlu").rglob("*.yml")) for ex in load_examples(f)]
    return files + [(e, t.id) for t in load_topics() for e in t.examples]


def heldout() -> List[Tuple[str, str]]:
    return [ex for f in sorted(HELDOUT_DIR.glob("*.yml")) for ex in load_examples(f)]


def train_rasa(config_text: str, workdir: Path) -> Tuple[Callable[[str], Parse], float]:
    """Train an NLU-only Rasa model; returns (predict, seconds)."""
    import logging

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no debug line per parsed message

    cfg = workdir / "config.yml"
    cfg.write_text(config_text)
    # a cache of its own: Rasa's shared training cache would make a second run look instant
    os.environ["RASA_CACHE_DIRECTORY"] = str(workdir / "rasa-cache")
    start = time.perf_counter()
    model = train_nlu(str(cfg), str(ROOT / "data"), str(workdir), domain=str(ROOT / "domain.yml"))
    seconds = time.perf_counter() - start
    agent = Agent.load(model)

    def predict(text: str) -> Parse:
        result = asyncio.run(agent.parse_message(text))
        ranking = [{"name": r["name"].split("/")[0], "confidence": r["confidence"]}
                   for r in result.get("intent_ranking", [])]
        return result["intent"]["name"].split("/")[0], ranking

    return predict, seconds


def train_tfidf(_workdir: Path) -> Tuple[Callable[[str], Parse], float]:
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

    def predict(text: str) -> Parse:
        proba = model.predict_proba([text])[0]
        ranking = sorted(({"name": str(c), "confidence": float(p)} for c, p in zip(model.classes_, proba)),
                         key=lambda r: -r["confidence"])
        return ("nlu_fallback" if ranking[0]["confidence"] < 0.3 else ranking[0]["name"]), ranking

    return predict, seconds


def is_answer(o: str) -> bool:
    return o.startswith("answer:")


def is_flow(o: str) -> bool:
    return o.startswith("flow:")


def score_real(outcomes: List[str], rows: List[evaluation.Labelled],
               parses: Optional[List[Parse]] = None) -> Dict[str, float]:
    """acceptable: an acceptable answer, or no answer where none is acceptable; wrong: answered
    (or a flow started) with something not acceptable; coverage: share answered at all.
    offered (with `parses`; not a target): acceptable, or not answered but an acceptable topic is
    one of the buttons of the reply ("did you mean", "not covered yet"): one click from the answer."""
    ok = wrong = answered = offered = 0
    for i, (o, r) in enumerate(zip(outcomes, rows)):
        given = is_answer(o) or is_flow(o)
        answered += given
        if given:
            right = o.split(":", 1)[1] in r.acceptable
            ok += right
            wrong += not right
            offered += right
        else:
            ok += not r.acceptable
            buttons = decide(parses[i][1]).topics if parses and o in ("disambiguate", "not_covered") else ()
            offered += not r.acceptable or bool(set(buttons) & r.acceptable)
    n = max(1, len(rows))
    return {"acceptable": ok / n, "wrong": wrong / n, "coverage": answered / n, "offered": offered / n,
            "n": len(rows)}


def score_general(outcomes: List[str]) -> Dict[str, float]:
    n = max(1, len(outcomes))
    knowledge = sum(map(is_answer, outcomes))
    flows = sum(map(is_flow, outcomes))
    return {"knowledge": knowledge / n, "flow": flows / n, "rejected": 1 - (knowledge + flows) / n, "n": len(outcomes)}


def score_heldout(parses: List[Parse], rows: List[Tuple[str, str]]) -> Dict[str, Any]:
    from sklearn.metrics import f1_score

    gold, pred = [], []
    topic_ok = topic_n = oos_ok = oos_n = 0
    confusions: collections.Counter = collections.Counter()
    for (intent, ranking), (_, label) in zip(parses, rows):
        o = outcome(intent, ranking)
        answered = o.split(":", 1)[1] if is_answer(o) else "out_of_scope"
        gold.append(label)
        pred.append(answered)
        if label in TOPICS:
            topic_n += 1
            topic_ok += answered == label
            if answered != label:
                confusions[(label, o)] += 1
        else:
            oos_n += 1
            oos_ok += not (is_answer(o) or is_flow(o))
            if is_answer(o) or is_flow(o):
                confusions[("out_of_scope", o)] += 1
    return {"topic_accuracy": topic_ok / max(1, topic_n), "macro_f1": f1_score(gold, pred, average="macro"),
            "oos_rejection": oos_ok / max(1, oos_n), "confusions": confusions}


def evaluate(predict: Callable[[str], Parse], split: str) -> Dict[str, Any]:
    real = evaluation.load_real(split, ["uk", "au_general"])
    sharing = evaluation.load_real(split, ["word_sharing"])
    general = evaluation.load_hwu64(split)
    held = heldout()
    out = lambda rows: [outcome(*predict(r.text)) for r in rows]  # noqa: E731
    held_parses = [predict(t) for t, _ in held]
    real_parses = [predict(r.text) for r in real]
    real_outcomes = [outcome(*p) for p in real_parses]
    return {"real": score_real(real_outcomes, real, real_parses), "hwu64": score_general(out(general)),
            "sharing": score_general(out(sharing)), "heldout": score_heldout(held_parses, held)}


def table(results: Dict[str, Dict[str, Any]], split: str) -> str:
    names = list(results)
    rows = [
        (f"real questions ({split}): acceptable", lambda r: r["real"]["acceptable"], ">= 85%"),
        (f"real questions ({split}): wrong topic", lambda r: r["real"]["wrong"], "<= 5%"),
        (f"real questions ({split}): coverage", lambda r: r["real"]["coverage"], ""),
        (f"real questions ({split}): acceptable or offered", lambda r: r["real"]["offered"], ""),
        (f"HWU64 ({split}): knowledge answers", lambda r: r["hwu64"]["knowledge"], "<= 1%"),
        (f"HWU64 ({split}): flow starts", lambda r: r["hwu64"]["flow"], "<= 0.5%"),
        (f"word-sharing ({split}): rejected", lambda r: r["sharing"]["rejected"], ">= 95%"),
        (f"word-sharing ({split}): knowledge answers", lambda r: r["sharing"]["knowledge"], ""),
        (f"word-sharing ({split}): flow starts", lambda r: r["sharing"]["flow"], ""),
        ("held-out: topic accuracy", lambda r: r["heldout"]["topic_accuracy"], ">= 95%"),
        ("held-out: out-of-scope rejection", lambda r: r["heldout"]["oos_rejection"], ">= 95%"),
        ("held-out: macro-F1", lambda r: r["heldout"]["macro_f1"], ""),
    ]
    lines = [f"{'':44} " + " ".join(f"{n:>13}" for n in names) + f" {'target':>8}"]
    for label, get, target in rows:
        cells = []
        for n in names:
            v = get(results[n])
            cells.append(f"{v:>13.3f}" if "F1" in label else f"{v:>13.1%}")
        lines.append(f"{label:44} " + " ".join(cells) + f" {target:>8}")
    lines.append(f"{'training time (s)':44} " + " ".join(f"{results[n]['train_s']:>13.1f}" for n in names))
    return "\n".join(lines)


def annotator_reference(split: str) -> str:
    """Each annotator's labels scored as if they were a system: on the settled labels (which they
    helped to make) and on the other annotator's (independent), and how far the two agree."""
    real = evaluation.load_real(split, ["uk", "au_general"])
    keys = [evaluation.question_key(r.text) for r in real]
    labels = {name: evaluation.load_annotator(name) for name in ("first", "second")}
    lines = [f"annotator reference, real questions ({split}, {len(real)}): each annotator's labels as answers "
             "(first topic listed, or none)"]
    for name, other in (("first", "second"), ("second", "first")):
        outcomes = [evaluation.annotator_outcome(labels[name][k]) for k in keys]
        on_gold = score_real(outcomes, real)
        as_other = [evaluation.Labelled(r.text, " ".join(labels[other][k]) or "none") for r, k in zip(real, keys)]
        on_other = score_real(outcomes, as_other)
        lines.append(f"  annotator {name:6}  on the settled labels: acceptable {on_gold['acceptable']:.1%}, wrong "
                     f"{on_gold['wrong']:.1%}; on annotator {other}'s: acceptable {on_other['acceptable']:.1%}, "
                     f"wrong {on_other['wrong']:.1%}")
    a = evaluation.agreement(labels["first"], labels["second"], keys)
    lines.append(f"  the two give the same topics to {a.same_set:.1%} of questions and agree whether any topic answers "
                 f"on {a.answer_or_not:.1%} (Cohen's kappa {a.kappa:.2f})")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=("ours", "rasa-default", "tfidf-logreg"), action="append")
    ap.add_argument("--split", choices=("test", "dev"), default="test",
                    help="test: the split never tuned on (default); dev: the tuning split")
    ap.add_argument("--config", default=str(ROOT / "config.yml"), help="our config to score (for experiments)")
    ap.add_argument("--epochs", type=int, default=100,
                    help="epochs of rasa-default's DIET and ResponseSelector (rasa init writes 100; on our "
                         "12,000 examples that is about 36 s an epoch on 2 cores)")
    args = ap.parse_args()
    held = heldout()
    train_texts = {t.lower() for t, _ in training_examples()}
    measured = [r.text for r in evaluation.load_real(args.split)] + [t for t, _ in held] + \
        [r.text for r in evaluation.load_hwu64(args.split)]
    leaked = sum(t.lower() in train_texts for t in measured)
    print(f"real questions: {len(evaluation.load_real(args.split, ['uk', 'au_general']))} ({args.split}); "
          f"HWU64: {len(evaluation.load_hwu64(args.split))} ({args.split}); word-sharing: "
          f"{len(evaluation.load_real(args.split, ['word_sharing']))}; held-out: {len(held)}; "
          f"measured lines also in the training data: {leaked}")
    ours = cold(Path(args.config).read_text())
    default = RASA_DEFAULT.replace("epochs: 100", f"epochs: {args.epochs}")
    systems = {"ours": lambda w: train_rasa(ours, w), "rasa-default": lambda w: train_rasa(default, w),
               "tfidf-logreg": train_tfidf}
    results = {}
    for name, trainer in systems.items():
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            print(f"training {name} ...", flush=True)
            predict, seconds = trainer(Path(tmp))
            results[name] = {**evaluate(predict, args.split), "train_s": seconds}
    print()
    if "rasa-default" in results and args.epochs != 100:
        print(f"note: rasa-default trained for {args.epochs} epochs, not rasa init's 100")
    print(table(results, args.split))
    print()
    print(annotator_reference(args.split))
    for name, r in results.items():
        print(f"\nheld-out confusions, {name} (gold -> outcome: count):")
        for (g, p), n in r["heldout"]["confusions"].most_common(10):
            print(f"  {g} -> {p}: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
