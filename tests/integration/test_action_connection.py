"""Rasa's calls to the action server reuse one connection, and survive the server restarting."""
from __future__ import annotations


from bot.runner import free_port
from tests.integration.conftest import run_coroutine
from tests.unit.rasa_patch_helpers import action_server as _serve



def test_action_calls_share_one_connection_and_recover_after_a_restart():
    from rasa.utils.endpoints import EndpointConfig

    from bot.rasa_ext.patches import shared_action_session

    assert shared_action_session.apply()  # what the Rasa server applies at start (bot.rasa_ext.server)

    async def scenario():
        port, peers = free_port(), set()
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")
        server = await _serve(port, peers)
        for _ in range(20):
            assert await endpoint.request(json={"next_action": "x"}, method="post") == {"events": [], "responses": []}
        first = set(peers)
        await server.cleanup()  # the action server is redeployed
        peers.clear()
        server = await _serve(port, peers)
        assert await endpoint.request(json={"next_action": "x"}, method="post") == {"events": [], "responses": []}
        await shared_action_session.close_shared_sessions()
        await server.cleanup()
        return first, peers

    first, after_restart = run_coroutine(scenario())
    assert len(first) == 1  # 20 calls, one TCP connection
    assert len(after_restart) == 1
