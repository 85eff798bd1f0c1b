"""The assumption behind bot.rasa_ext.fixes' fourth fix, checked against the installed Rasa source:
in the processor and RulePolicy, `copy` is only used inside `structlogger.debug(...)` arguments."""
import ast
import importlib.util
from pathlib import Path

import pytest


def _copy_uses_outside_debug_logs(module: str) -> list:
    source = Path(importlib.util.find_spec(module).origin).read_text()
    tree = ast.parse(source)
    inside_debug = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "debug" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "structlogger":
            inside_debug.update(id(n) for n in ast.walk(node))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "copy"
            and id(node) not in inside_debug]


@pytest.mark.parametrize("module", ["rasa.core.processor", "rasa.core.policies.rule_policy"])
def test_copy_is_only_used_for_debug_log_arguments(module):
    assert _copy_uses_outside_debug_logs(module) == []


def test_the_check_notices_a_copy_used_for_real_work(tmp_path, monkeypatch):
    (tmp_path / "fake_rasa_module.py").write_text(
        "import copy\nstructlogger.debug('x', a=copy.deepcopy(1))\nstate = copy.deepcopy({})\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _copy_uses_outside_debug_logs("fake_rasa_module") == [3]


def test_debug_log_arguments_are_copied_only_when_debug_logging_is_on():
    import logging

    import bot.rasa_ext.fixes  # noqa: F401  (what the Rasa server imports)
    import rasa.core.processor as processor

    states = [{"user": {"intent": "greet"}}]
    rasa_log = logging.getLogger("rasa")
    level = rasa_log.level
    try:
        rasa_log.setLevel(logging.INFO)
        assert processor.copy.deepcopy(states) is states
        rasa_log.setLevel(logging.DEBUG)
        copied = processor.copy.deepcopy(states)
        assert copied == states and copied is not states and copied[0] is not states[0]
    finally:
        rasa_log.setLevel(level)
