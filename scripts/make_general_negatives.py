"""Write data/nlu/general.yml: the HWU64 training split as out-of-scope examples.

    .venv/bin/python scripts/make_general_negatives.py

HWU64 (CC BY 4.0): Liu, Eshghi, Swietojanski & Rieser, "Benchmarking Natural Language
Understanding Services for building Conversational Agents", IWSDS 2019. Only the `train` split
of bot.evaluation is written (its `dev` and `test` splits measure the model), without the
conversational intents the assistant handles itself (yes, no, stop, thanks, ...).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluation import CONVERSATIONAL, load_hwu64, load_real, nlu_file_examples  # noqa: E402
from bot.knowledge import load_catalogue  # noqa: E402

OUT = ROOT / "data" / "nlu" / "general.yml"
HEADER = """version: "3.1"
# Everyday assistant requests (alarms, music, weather, cooking, travel, ...) that are NOT about
# co-production: out-of-scope training negatives. From HWU64 (CC BY 4.0): Liu, Eshghi,
# Swietojanski & Rieser, "Benchmarking Natural Language Understanding Services for building
# Conversational Agents", IWSDS 2019 (xliuhw/NLU-Evaluation-Data). Only the train split of
# bot/evaluation.py; written by scripts/make_general_negatives.py, do not edit by hand.
nlu:
- intent: out_of_scope/other
  examples: |
"""


def our_examples() -> set:
    """Every other training example and every line we measure on (lower case): a line already
    labelled is never a negative, and nothing measured is trained on."""
    seen = {e.lower() for t in load_catalogue()[0] for e in t.examples}
    seen |= {r.text.lower() for r in load_real()}
    files = [*(ROOT / "tests" / "nlu_heldout").glob("*.yml"), *(ROOT / "data" / "nlu").glob("*.yml")]
    seen |= {text.lower() for path in files if path != OUT for text, _ in nlu_file_examples(path)}
    return seen


def main() -> int:
    ours = our_examples()
    lines = sorted({r.text for r in load_hwu64("train") if r.label not in CONVERSATIONAL and r.text.lower() not in ours})
    body = "".join(f"    - {t}\n" for t in lines if not t.startswith(("-", "/")) and ":" not in t[:1])
    OUT.write_text(HEADER + body, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(lines)} examples")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
