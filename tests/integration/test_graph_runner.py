"""The model run by SequentialGraphRunner (what the Rasa server uses) behaves exactly as with Rasa's
DaskGraphRunner: the same parse of each message, the same actions, replies and slots."""
from __future__ import annotations

from bot import db
from bot.runner import Stack, ephemeral_settings, model_path, stack_env
from bot.settings import load_settings
from tests.integration.conftest import run_coroutine

CONVERSATION = ["hello", "what is co-production?", "/tell_me_more", "how is it different from co-design",
                "where did it come from and what does it mean for staff", "can I take paracetamol", "/start_self_check",
                "I work in the service", "team A", "4", "what is co-design?", "3", "bye"]


async def _run(runner_class, action_url):
    import rasa.core.processor as processor
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    processor.DaskGraphRunner = runner_class
    from rasa.utils.endpoints import EndpointConfig

    agent = Agent.load(str(model_path(load_settings())), action_endpoint=EndpointConfig(action_url))
    assert isinstance(agent.processor.graph_runner, runner_class)
    parses, replies = [], []
    for text in CONVERSATION:
        parses.append(await agent.parse_message(text))
        out = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, out, "runner-test"))
        replies.append([(m.get("text"), m.get("buttons")) for m in out.messages])
    tracker = await agent.tracker_store.retrieve("runner-test")
    actions = [e.action_name for e in tracker.events if e.type_name == "action"]
    slots = tracker.current_slot_values()
    flow = {k: v for k, v in (slots.pop("flow_state") or {}).items() if k not in ("submission_id", "started_at")}
    assert slots.pop("respondent_id")  # a fresh random id in each run
    return parses, replies, actions, slots, flow


def test_sequential_runner_gives_the_same_conversation_as_dask(tmp_path):
    from rasa.engine.runner.dask import DaskGraphRunner

    from bot.rasa_ext.graph_runner import SequentialGraphRunner

    import rasa.core.processor as processor
    original = processor.DaskGraphRunner
    url = f"sqlite:///{tmp_path / 'runner.db'}"
    db.migrate(url)
    stack = Stack(ephemeral_settings(url))
    try:
        stack.start_actions(stack_env(stack.settings, {}))
        stack.wait_ready(timeout=60)
        action_url = f"http://{stack.settings.host}:{stack.settings.action_port}/webhook"
        with_dask = run_coroutine(_run(DaskGraphRunner, action_url))
        sequential = run_coroutine(_run(SequentialGraphRunner, action_url))
    finally:
        processor.DaskGraphRunner = original
        stack.stop()
    for a, b in zip(with_dask[0], sequential[0]):
        assert a == b
    assert with_dask[1:] == sequential[1:]
    # the run covered answers, the out-of-scope reply, did-you-mean and the self-check's routing
    assert sum(1 for replies in sequential[1] if replies) >= 5
    assert {"utter_what_is_coproduction", "action_fallback", "action_start_flow", "action_flow"} <= set(sequential[2])
