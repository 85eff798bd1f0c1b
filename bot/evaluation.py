"""Evaluation data that nobody on the team wrote, and the fixed splits used to measure on it.

* HWU64 (`../shared/corpora/hwu64/utterances.tsv`, CC BY 4.0, Liu, Eshghi, Swietojanski &
  Rieser, IWSDS 2019): 11,000 everyday assistant requests. A stable hash of the text puts each
  line in `train` (60%: training negatives, `data/nlu/general.yml`), `dev` (20%: calibration)
  or `test` (20%: never tuned on).
* Real questions (`tests/real_questions/*.tsv`): questions copied from public pages, each with
  its address and the topic ids whose answer is acceptable (or none). A stable hash of the
  page address puts each page in `dev` (two thirds) or `test` (one third), so questions from one
  page never sit on both sides.
* Two annotators labelled every real question on their own (`tests/real_questions/annotators/`,
  with the guideline); a third, blind to what the model says, settled the questions on which they
  differed, and that is the label in the question files. `agreement` and `annotator_outcome`
  let `make bench-nlu` show how far apart two careful people are on the same questions.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
HWU64 = ROOT.parent / "shared" / "corpora" / "hwu64" / "utterances.tsv"
REAL_QUESTIONS = ROOT / "tests" / "real_questions"
ANNOTATORS = REAL_QUESTIONS / "annotators"

# HWU64 intents that are conversation our assistant handles itself (yes, no, stop, thanks,
# say again, what do you mean): measured, never used as out-of-scope training negatives.
CONVERSATIONAL = frozenset({
    "general_affirm", "general_negate", "general_praise", "general_commandstop", "general_repeat",
    "general_explain", "general_confirm", "general_dontcare",
})


def bucket(key: str) -> int:
    """0-99, stable across runs and machines."""
    return int(hashlib.sha256(key.strip().lower().encode("utf-8")).hexdigest()[:8], 16) % 100


@dataclass(frozen=True)
class Labelled:
    text: str
    label: str  # HWU64 intent, or for real questions the space-separated acceptable ids / "none"
    source: str = ""

    @property
    def acceptable(self) -> FrozenSet[str]:
        return frozenset(x for x in self.label.split() if x != "none")


def hwu64_split(line: Labelled) -> str:
    b = bucket(line.text)
    return "train" if b < 60 else "dev" if b < 80 else "test"


def load_hwu64(split: Optional[str] = None, path: Path = HWU64) -> List[Labelled]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [Labelled(r["text"].strip(), r["intent"].strip()) for r in csv.DictReader(f, delimiter="\t")]
    return [r for r in rows if r.text and (split is None or hwu64_split(r) == split)]


def real_split(line: Labelled) -> str:
    """Word-sharing lines (no page) split by text; real questions by their page."""
    key = line.source if line.source not in ("", "-") else line.text
    return "test" if bucket(key) % 3 == 0 else "dev"


def question_key(text: str) -> str:
    """One question however it was copied: lower case, one kind of apostrophe, single spaces."""
    return " ".join(text.lower().replace("\u2019", "'").split())


def load_real(split: Optional[str] = None, names: Optional[List[str]] = None,
              directory: Path = REAL_QUESTIONS) -> List[Labelled]:
    rows: List[Labelled] = []
    seen = set()  # the same question copied from two pages is counted once
    for path in sorted(directory.glob("*.tsv")):
        if names is not None and path.stem not in names:
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                text = (r.get("text") or "").strip()
                key = question_key(text)
                if text and key not in seen:
                    seen.add(key)
                    rows.append(Labelled(text, (r.get("acceptable") or "none").strip() or "none",
                                         (r.get("url") or "").strip()))
    return [r for r in rows if split is None or real_split(r) == split]


def nlu_file_examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file; retrieval intents keep their base name."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for block in doc.get("nlu") or []:
        if "intent" not in block:
            continue
        intent = block["intent"].split("/")[0]
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append((line[2:].strip(), intent))
    return out


def load_annotator(name: str, directory: Path = ANNOTATORS) -> Dict[str, Tuple[str, ...]]:
    """One annotator's own labels (`<name>.tsv`: text, acceptable): question key -> the topic ids
    in the annotator's order, () for none."""
    with (directory / f"{name}.tsv").open(encoding="utf-8", newline="") as f:
        return {question_key(r["text"]): tuple(x for x in (r.get("acceptable") or "").split() if x != "none")
                for r in csv.DictReader(f, delimiter="\t")}


def annotator_outcome(ids: Sequence[str]) -> str:
    """What an annotator's labels would have the assistant do, in bot.fallback.outcome's terms:
    answer with the first topic they listed, or give no answer."""
    return f"answer:{ids[0]}" if ids else "not_covered"


@dataclass(frozen=True)
class Agreement:
    n: int
    same_set: float       # share of questions given exactly the same acceptable topics
    answer_or_not: float  # share on which both say "some topic answers it", or both say none
    kappa: float          # Cohen's kappa of that answer-or-not judgement


def agreement(a: Mapping[str, Sequence[str]], b: Mapping[str, Sequence[str]], keys: Sequence[str]) -> Agreement:
    """How two annotators' labels of the same questions agree."""
    n = len(keys)
    if not n:
        return Agreement(0, 0.0, 0.0, 0.0)
    same = sum(set(a[k]) == set(b[k]) for k in keys) / n
    observed = sum(bool(a[k]) == bool(b[k]) for k in keys) / n
    pa, pb = sum(bool(a[k]) for k in keys) / n, sum(bool(b[k]) for k in keys) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    kappa = (observed - chance) / (1 - chance) if chance < 1 else 1.0
    return Agreement(n, same, observed, kappa)
