"""The project guide: no module in bot/ over about 300 lines (issue #15)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 300
# Over the limit when the report was split (bot/report/), but not part of that work: the message
# marks them so nobody takes them for a regression of the report. Drop a name once it is split.
NOT_SPLIT_YET: set = set()


def test_no_module_in_bot_is_over_300_lines():
    sizes = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in sorted((ROOT / "bot").rglob("*.py"))}
    offenders = {name: n for name, n in sizes.items() if n > MAX_LINES}
    lines = [f"{name}: {n} lines" + (" (not part of the report split; left to its owner)" if name in NOT_SPLIT_YET
                                     else "") for name, n in sorted(offenders.items(), key=lambda item: -item[1])]
    assert not offenders, f"modules over {MAX_LINES} lines:\n" + "\n".join(lines)
