"""The held-out NLU set stays unseen: none of its lines may appear in the training data."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench_nlu():
    spec = importlib.util.spec_from_file_location("bench_nlu", ROOT / "scripts" / "bench_nlu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_held_out_line_is_in_the_training_data():
    bench = _bench_nlu()
    training = {text.lower() for text, _ in bench.training_examples()}
    heldout = bench.load_examples(bench.HELDOUT)
    assert len(heldout) >= 300
    assert [text for text, _ in heldout if text.lower() in training] == []
