"""Each of our changes to Rasa internals (bot.rasa_ext.patches, bot.rasa_ext.rule_index) against the live
Rasa code it replaces, plus the machinery: version check, applying once, the one entry point, closing."""
from __future__ import annotations

import asyncio
import copy
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict

import jsonschema
import pytest
import rasa
import rasa.core.actions.action as rasa_action
import rasa.core.policies.rule_policy as rule_policy
import rasa.core.processor as processor
import rasa.core.run
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext import patches
from bot.rasa_ext.patches import base
from bot.runner import free_port
from tests.unit.rasa_patch_helpers import (
    action_server,
    copy_uses_outside_debug_logs,
    load_rule_policies,
    lookups_of_the_model,
    prediction_points,
    run_both,
    serve_until_stopped,
    store_outcomes,
    timeout_of_an_action_call,
)
from tests.unit.test_action_reply_validation import INVALID, VALID

ALL = ["action_reply_validation", "no_silent_tracker_fallback", "shared_action_session", "debug_only_copies",
       "sequential_graph_runner", "action_timeout", "domain_is_empty_once", "event_types_once"]


@pytest.fixture(autouse=True)
def unpatched():
    """Every test starts and ends with Rasa as installed."""
    base.revert_all()
    yield
    base.revert_all()


def run(coro: Any) -> Any:
    with ThreadPoolExecutor(1) as pool:  # its own loop, whatever the test runner has running
        return pool.submit(asyncio.run, coro).result()


def targets() -> Dict[str, Any]:
    """What the patches replace, as Rasa's modules hold it right now."""
    return {"validate": vars(RemoteAction)["_validate_action_result"], "retrieve": vars(FailSafeTrackerStore)["retrieve"],
            "save": vars(FailSafeTrackerStore)["save"], "session": vars(EndpointConfig)["session"],
            "configure_app": rasa.core.run.configure_app, "processor.copy": processor.copy,
            "rule_policy.copy": rule_policy.copy, "runner": processor.DaskGraphRunner,
            "timeout": rasa_action.DEFAULT_REQUEST_TIMEOUT, "is_empty": vars(Domain)["is_empty"],
            "resolve_by_type": vars(Event)["resolve_by_type"]}


# --- applying: version check, once, logged ---------------------------------------------------

def test_every_patch_applies_once_on_the_installed_rasa_and_says_so(caplog):
    before = targets()
    with caplog.at_level(logging.INFO, logger="coprod.patches"):
        assert patches.apply_all() == ALL
        after = targets()
        assert patches.apply_all() == ALL  # idempotent: nothing replaced twice, nothing logged twice
    assert all(after[name] is not before[name] for name in before if name != "timeout")
    assert after["timeout"] == 20 and before["timeout"] == 300
    assert targets() == after and rasa.core.run.configure_app.__wrapped__ is before["configure_app"]
    lines = [r.getMessage() for r in caplog.records if r.name == "coprod.patches"]
    assert len(lines) == len(ALL) and all(f"Rasa patch applied: {name} - " in lines[i] for i, name in enumerate(ALL))
    assert patches.not_applied() == []
    base.revert_all()
    assert targets() == before


@pytest.mark.parametrize("version,supported", [("3.6.21", True), ("3.6.0", True), ("3.7.0", False), ("3.5.9", False),
                                               ("4.0.0", False), ("3.60.1", False), ("", False)])
def test_only_rasa_3_6_is_supported(version, supported):
    assert base.rasa_version_supported(version) is supported


def test_on_another_rasa_version_nothing_is_patched_and_each_patch_warns(monkeypatch, caplog):
    before = targets()
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with caplog.at_level(logging.INFO, logger="coprod.patches"):
        assert patches.apply_all() == []
    assert targets() == before
    warnings = [r.getMessage() for r in caplog.records if r.name == "coprod.patches" and r.levelno == logging.WARNING]
    assert len(warnings) == len(ALL)
    assert all(f"Rasa patch {name} NOT applied" in w and "Rasa 3.6.x" in w and "3.7.0" in w for name, w in zip(ALL, warnings))
    assert patches.not_applied() == ALL


def test_the_tracker_store_warns_at_start_when_rasa_runs_unpatched(db_url, caplog):
    from bot.rasa_ext.tracker_store import CoprodTrackerStore

    with caplog.at_level(logging.WARNING, logger="coprod.tracker_store"):
        CoprodTrackerStore(url=db_url).engine.dispose()  # a plain `rasa run`
        (warning,) = [r for r in caplog.records if r.name == "coprod.tracker_store"]
        assert warning.levelno == logging.WARNING
        assert f"without {len(ALL)} of our patches" in warning.getMessage() and "no_silent_tracker_fallback" in warning.getMessage()
        assert "python -m bot.rasa_ext.server run" in warning.getMessage()
        caplog.clear()
        patches.apply_all()  # what bot.rasa_ext.server does before Rasa builds the tracker store
        CoprodTrackerStore(url=db_url).engine.dispose()
        assert [r for r in caplog.records if r.name == "coprod.tracker_store"] == []


def test_the_patches_are_applied_in_one_place_only():
    root = Path(__file__).resolve().parents[2] / "bot"
    callers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if "apply_all(" in p.read_text() and p.parent.name != "patches")
    assert callers == ["rasa_ext/server.py"]


# --- 1. action reply validation: the verdict and message of the live Rasa method --------------

def _verdict(method: Any, reply: Any) -> Any:
    try:
        return method(RemoteAction("action_x", None), copy.deepcopy(reply))
    except jsonschema.ValidationError as e:
        return e.message


def test_replies_get_the_verdict_and_message_of_rasas_own_validation():
    live = RemoteAction._validate_action_result
    patches.action_reply_validation.apply()
    assert RemoteAction._validate_action_result is not live
    for reply in VALID + INVALID:
        expected = _verdict(live, reply)
        assert (expected is True) == (reply in VALID)  # the cases are what they say they are
        assert _verdict(RemoteAction._validate_action_result, reply) == expected


# --- 2. no silent fallback: a failing store raises ---------------------------------------------

def test_a_failing_tracker_store_fails_the_turn_instead_of_starting_afresh():
    live = run(store_outcomes())  # Rasa's own: a fresh conversation, and the write kept in memory
    assert live["retrieve"] is None and live["save"] is None and live["in_memory"] is not None
    patches.no_silent_tracker_fallback.apply()
    ours = run(store_outcomes())
    assert isinstance(ours["retrieve"], RuntimeError) and isinstance(ours["save"], RuntimeError)
    assert ours["in_memory"] is None


# --- 3. shared session: one connection, closed when the server stops ---------------------------

def test_the_shared_session_is_closed_when_the_rasa_server_stops(monkeypatch):
    from sanic import Sanic

    monkeypatch.setattr(Sanic, "test_mode", True)  # several apps of the same name in one process
    patches.shared_action_session.apply()

    async def scenario() -> Any:
        action_port, rasa_port, peers = free_port(), free_port(), set()
        actions = await action_server(action_port, peers)
        app = rasa.core.run.configure_app(enable_api=False, port=rasa_port)  # what `rasa run` builds
        server = await app.create_server(host="127.0.0.1", port=rasa_port, return_asyncio_server=True)
        await server.startup()
        await server.before_start()
        await server.after_start()
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{action_port}/webhook")
        for _ in range(3):
            await endpoint.request(json={"next_action": "x"}, method="post")
        session = endpoint._coprod_session[1]
        open_while_serving = not session.closed
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()  # Sanic's after_server_stop listeners
        await actions.cleanup()
        return open_while_serving, session.closed, len(peers)

    assert run(scenario()) == (True, True, 1)


# --- 4. debug-only copies -------------------------------------------------------------------------

@pytest.mark.parametrize("module", ["rasa.core.processor", "rasa.core.policies.rule_policy"])
def test_copy_is_only_used_for_debug_log_arguments_in_the_installed_rasa(module):
    assert copy_uses_outside_debug_logs(module) == []


def test_the_check_notices_a_copy_used_for_real_work(tmp_path, monkeypatch):
    (tmp_path / "fake_rasa_module.py").write_text(
        "import copy\nstructlogger.debug('x', a=copy.deepcopy(1))\nstate = copy.deepcopy({})\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert copy_uses_outside_debug_logs("fake_rasa_module") == [3]


def test_debug_log_arguments_are_copied_only_when_debug_logging_is_on():
    patches.debug_only_copies.apply()
    states = [{"user": {"intent": "greet"}}]
    rasa_log = logging.getLogger("rasa")
    level = rasa_log.level
    try:
        for module in (processor, rule_policy):
            rasa_log.setLevel(logging.INFO)
            assert module.copy.deepcopy(states) is states
            rasa_log.setLevel(logging.DEBUG)
            copied = module.copy.deepcopy(states)
            assert copied == states and copied is not states and copied[0] is not states[0]
    finally:
        rasa_log.setLevel(level)


# --- 5. sequential graph runner: the results of the live DaskGraphRunner ----------------------------

def test_the_sequential_runner_gives_the_results_of_rasas_dask_runner(tmp_path):
    patches.sequential_graph_runner.apply()
    rasas = base.original(processor, "DaskGraphRunner")
    assert processor.DaskGraphRunner is not rasas and rasas.__module__ == "rasa.engine.runner.dask"
    dask, sequential = run_both(rasas, processor.DaskGraphRunner, tmp_path)
    assert dask == sequential and dask  # the same outputs for every target list tried


# --- 6. action timeout: what the live RemoteAction.run passes to the endpoint -----------------------

def test_action_calls_time_out_after_20_seconds():
    assert run(timeout_of_an_action_call()) == 300  # Rasa's own
    patches.action_timeout.apply()
    assert run(timeout_of_an_action_call()) == 20


# --- 7. rule index: the live RulePolicy._get_possible_keys on the trained model's rules -------------

def test_the_rule_index_finds_what_rasas_rule_policy_finds_in_the_trained_model():
    from bot.rasa_ext.rule_index import IndexedRulePolicy, RuleIndex
    ours, rasas, domain = load_rule_policies()
    assert type(ours) is IndexedRulePolicy and type(rasas) is rule_policy.RulePolicy  # config.yml names ours
    live = rule_policy.RulePolicy._get_possible_keys
    assert live.__module__ == "rasa.core.policies.rule_policy"  # Rasa's own, unpatched
    matched = calls = 0
    for lookup, states in lookups_of_the_model(ours, domain):
        expected = live(rasas, lookup, states)
        assert ours._get_possible_keys(lookup, states) == expected
        if states:
            assert set(RuleIndex(list(lookup)).candidates(states[-1])) >= expected
        calls += 1
        matched += bool(expected)
    assert calls > 500 and matched > 200  # many real lookups, many with matching rules
    assert json.dumps(ours.lookup, sort_keys=True) == json.dumps(rasas.lookup, sort_keys=True)


def test_the_rule_policy_predicts_what_rasas_rule_policy_predicts_at_every_point_of_the_test_stories():
    """IndexedRulePolicy works out the states once per prediction: the predictions stay RulePolicy's."""
    ours, rasas, domain = load_rule_policies()
    compared = with_rule = 0
    for tracker in prediction_points(domain):
        got, expected = (p.predict_action_probabilities(tracker, domain, rule_only_data=p._get_rule_only_data())
                         for p in (ours, rasas))
        assert (got.probabilities, got.events, got.optional_events, got.is_end_to_end_prediction,
                got.is_no_user_prediction, got.hide_rule_turn, got.action_metadata) == (
            expected.probabilities, expected.events, expected.optional_events, expected.is_end_to_end_prediction,
            expected.is_no_user_prediction, expected.hide_rule_turn, expected.action_metadata)
        compared += 1
        with_rule += max(expected.probabilities) == 1.0
    assert compared > 150 and with_rule > 100  # many predictions, most of them made by a rule
    # each call still gets states of its own: text for the last message, then its intent
    tracker = next(t for t in prediction_points(domain) if t.latest_action_name == "action_listen")
    ours._predicting = True
    try:
        for use_text in (True, False, True):
            assert ours._prediction_states(tracker, domain, use_text, ours._get_rule_only_data()) == (
                rasas._prediction_states(tracker, domain, use_text, rasas._get_rule_only_data()))
    finally:
        ours._predicting, ours._states = False, None


# --- 8. domain emptiness, 9. event classes by name ----------------------------------------------

def test_domain_emptiness_is_rasas_answer_and_an_empty_domain_is_asked_again():
    _, _, domain = load_rule_policies()
    live = vars(Domain)["is_empty"]
    patches.apply_all()
    empty, small = Domain.empty(), Domain.from_dict({"intents": ["greet"]})
    for d in (domain, small, empty, domain, small, empty):
        assert d.is_empty() is live(d)
    assert (domain.is_empty(), small.is_empty(), empty.is_empty()) == (False, False, True)


def test_event_classes_are_found_by_name_as_rasa_finds_them():
    live = vars(Event)["resolve_by_type"].__func__
    names = sorted({c.type_name for c in all_subclasses(Event) if getattr(c, "type_name", None)})
    patches.apply_all()
    assert len(names) > 20
    for name in names + names:
        assert Event.resolve_by_type(name) is live(name)
    assert Event.resolve_by_type("topic") is None and Event.resolve_by_type("nonsense", Event) is Event
    with pytest.raises(ValueError, match="Unknown event name 'nonsense'"):
        Event.resolve_by_type("nonsense")
    assert type(Event.from_parameters({"event": "slot", "name": "x", "value": 1})).__name__ == "SlotSet"


# --- the entry point, as a real server process ---------------------------------------------------

def test_the_entry_point_patches_rasa_and_closes_its_session_when_the_server_stops(tmp_path):
    log, pulls = serve_until_stopped(["-m", "bot.rasa_ext.server", "run"], tmp_path)
    assert pulls == 1  # one call through the shared session, on the server's loop
    assert [name for name in ALL if f"Rasa patch applied: {name} - " in log] == ALL
    assert "closed 1 shared" in log  # by the after_server_stop listener, after SIGTERM
    assert "runs without" not in log


def test_plain_rasa_run_still_starts_and_warns_that_it_runs_unpatched(tmp_path):
    log, pulls = serve_until_stopped(["-m", "rasa", "run"], tmp_path)
    assert pulls == 1 and "Rasa patch applied" not in log and "closed 1 shared" not in log
    assert "WARNING" in log and f"runs without {len(ALL)} of our patches" in log and "python -m bot.rasa_ext.server run" in log
