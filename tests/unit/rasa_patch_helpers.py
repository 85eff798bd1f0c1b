"""Real inputs for tests/unit/test_rasa_patches.py: failing stores, an action server, a small graph for
both runners, the trained model's rule policy with the lookups it makes on real conversations."""
from __future__ import annotations

import ast
import importlib.util
import json
import random
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.constants import SHOULD_NOT_BE_SET
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.runner import ROOT, model_path
from bot.settings import load_settings


class BrokenStore(InMemoryTrackerStore):
    """A tracker store whose database is down."""

    async def retrieve(self, sender_id: str) -> Any:
        raise RuntimeError("database is down")

    async def save(self, tracker: Any) -> None:
        raise RuntimeError("database is down")


async def store_outcomes() -> Dict[str, Any]:
    """What Rasa's FailSafeTrackerStore makes of a failing store: read, write, and what went to memory."""
    store = FailSafeTrackerStore(BrokenStore(Domain.empty()))
    outcomes: Dict[str, Any] = {}
    for name, call in (("retrieve", lambda: store.retrieve("alice")),
                       ("save", lambda: store.save(DialogueStateTracker("alice", [])))):
        try:
            outcomes[name] = await call()
        except RuntimeError as e:
            outcomes[name] = e
    outcomes["in_memory"] = await store.fallback_tracker_store.retrieve("alice")
    return outcomes


async def action_server(port: int, peers: set) -> Any:
    """An action server answering every call, noting each TCP connection it sees."""
    from aiohttp import web

    async def handle(request: Any) -> Any:
        peers.add(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def copy_uses_outside_debug_logs(module: str) -> list:
    """Lines of `module` where `copy` is used outside the arguments of a `structlogger.debug(...)` call."""
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


class RecordingEndpoint(EndpointConfig):
    """An action endpoint that notes the arguments of each request."""

    calls: List[Dict[str, Any]]

    async def request(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return {"events": [], "responses": []}


async def timeout_of_an_action_call() -> Any:
    """The timeout Rasa's own `RemoteAction.run` passes to the action endpoint."""
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    endpoint = RecordingEndpoint("http://127.0.0.1:1/webhook")
    endpoint.calls = []
    domain = Domain.empty()
    await RemoteAction("action_x", endpoint).run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}),
                                                 DialogueStateTracker("s", domain.slots), domain)
    return endpoint.calls[0]["timeout"]


class Scale(GraphComponent):
    """A node that multiplies its input."""

    def __init__(self, factor: int) -> None:
        self.factor = factor

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: Any, resource: Any, execution_context: Any) -> "Scale":
        return cls(config.get("factor", 2))

    def run(self, x: int) -> int:
        return x * self.factor


class Combine(GraphComponent):
    """A node that needs two others."""

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: Any, resource: Any, execution_context: Any) -> "Combine":
        return cls()

    def run(self, a: int, b: Any) -> Tuple[int, Any]:
        return a, b


def _node(uses: Any, needs: Dict[str, str], target: bool = False, **config: Any) -> SchemaNode:
    return SchemaNode(needs=needs, uses=uses, constructor_name="create", fn="run", config=config, is_target=target)


SCHEMA = GraphSchema({
    "double": _node(Scale, {"x": "__number__"}),
    "triple": _node(Scale, {"x": "__number__"}, factor=3),
    "pair": _node(Combine, {"a": "double", "b": "triple"}, target=True),
    "nested": _node(Combine, {"a": "double", "b": "pair"}, target=True),
})
TARGETS = [None, ["pair"], ["nested"], ["triple", "pair"], ["double"]]


def run_both(rasas: Any, ours: Any, directory: Path) -> Tuple[List[Any], List[Any]]:
    """The outputs of each runner class for several numbers and target lists."""
    results: Tuple[List[Any], List[Any]] = ([], [])
    for runner_class, out in zip((rasas, ours), results):
        runner = runner_class.create(SCHEMA, LocalModelStorage(directory), ExecutionContext(SCHEMA, "m"), [])
        for number in (1, 5):
            for targets in TARGETS:
                out.append(runner.run(inputs={"__number__": number}, targets=targets))
    return results


def load_rule_policies() -> Tuple[Any, RulePolicy, Domain]:
    """The trained model's rule policy (the class config.yml names), and Rasa's RulePolicy on the same files."""
    storage, metadata = LocalModelStorage.from_model_archive(Path(tempfile.mkdtemp()), model_path(load_settings()))
    (node,) = [n for name, n in metadata.predict_schema.nodes.items()
               if name.startswith("run_") and issubclass(n.uses, RulePolicy)]
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    loaded = [cls.load({**cls.get_default_config(), **node.config}, storage, node.resource, context)
              for cls in (node.uses, RulePolicy)]
    return loaded[0], loaded[1], metadata.domain


def _as_conversation(rule_states: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """A rule's states as a conversation would have them: no "must not be set" markers."""
    states = []
    for state in rule_states:
        clean = {}
        for part, features in state.items():
            kept = {k: v for k, v in features.items() if v != SHOULD_NOT_BE_SET}
            if kept:
                clean[part] = kept
        states.append(clean)
    return states


def _story_trackers(domain: Domain) -> List[DialogueStateTracker]:
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.core.training_data.loading import load_data_from_files
    from rasa.shared.core.training_data.structures import StoryGraph

    steps = load_data_from_files([str(ROOT / "tests" / "test_stories.yml")], domain)
    return TrainingDataGenerator(StoryGraph(steps), domain, remove_duplicates=False, augmentation_factor=0,
                                 use_story_concatenation=False).generate_story_trackers()


def prediction_points(domain: Domain) -> Iterator[DialogueStateTracker]:
    """Every point of every test story (tests/test_stories.yml) where a policy predicts an action:
    the conversation up to each action after the first."""
    for tracker in _story_trackers(domain):
        events = list(tracker.events)
        for i, event in enumerate(events):
            if isinstance(event, ActionExecuted) and i:
                yield DialogueStateTracker.from_events(tracker.sender_id, events[:i], domain.slots)


def lookups_of_the_model(policy: Any, domain: Domain) -> Iterator[Tuple[Dict[str, str], List[Dict[str, Any]]]]:
    """(lookup, states) pairs the policy is asked about: every prediction of every test story
    (tests/test_stories.yml), and every memorised rule as a conversation, alone and after others."""
    calls: List[Tuple[Dict[str, str], List[Dict[str, Any]]]] = []

    def record(lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Any:
        calls.append((lookup, states))
        return RulePolicy._get_possible_keys(policy, lookup, states)

    policy._get_possible_keys = record
    try:
        for partial in prediction_points(domain):
            policy.predict_action_probabilities(partial, domain, rule_only_data=policy._get_rule_only_data())
    finally:
        del policy._get_possible_keys
    yield from calls
    rules = policy.lookup["rules"]
    rng = random.Random(3)
    keys = sorted(rules)
    for key in keys:
        own = _as_conversation(json.loads(key))
        yield rules, own
        yield rules, _as_conversation(json.loads(rng.choice(keys))) + own


def serve_until_stopped(command: List[str], directory: Path) -> Tuple[str, int]:
    """Start a Rasa server process (`python <command> --endpoints ...`) whose only endpoint call is to pull
    a model from a stub model server (which has none: 204), stop it with SIGTERM as bot.runner.Stack does,
    and return its log and the number of model pulls. No model loads, so it starts in seconds."""
    import subprocess
    import sys
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bot.runner import base_env, free_port, wait_http

    pulls: List[str] = []

    class NoModel(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            pulls.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    model_server = ThreadingHTTPServer(("127.0.0.1", free_port()), NoModel)
    threading.Thread(target=model_server.serve_forever, daemon=True).start()
    endpoints = directory / "endpoints.yml"
    endpoints.write_text(f"models:\n  url: http://127.0.0.1:{model_server.server_port}/model\n"
                         f"  wait_time_between_pulls: null\n"
                         f"tracker_store:\n  type: bot.rasa_ext.tracker_store.CoprodTrackerStore\n")
    (directory / "credentials.yml").write_text("rest:\n")
    port, log_path = free_port(), directory / "rasa.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, *command, "--endpoints", str(endpoints), "--credentials",
                                 str(directory / "credentials.yml"), "--interface", "127.0.0.1", "--port", str(port)],
                                cwd=ROOT, env=base_env({"DATABASE_URL": f"sqlite:///{directory / 'coprod.db'}"}),
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(f"http://127.0.0.1:{port}/", 120, proc)
        finally:
            proc.terminate()
            proc.wait(30)
            model_server.shutdown()
    return log_path.read_text(errors="replace"), len(pulls)
