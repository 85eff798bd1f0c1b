"""Rasa's calls to the action server reuse one connection, and survive the server restarting."""
from __future__ import annotations


from bot.runner import free_port
from tests.integration.conftest import run_coroutine



async def _serve(port: int, peers: set):
    from aiohttp import web

    async def handle(request):
        peers.add(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def test_action_calls_share_one_connection_and_recover_after_a_restart():
    import bot.rasa_ext.fixes  # noqa: F401  (what the Rasa server imports)
    from rasa.utils.endpoints import EndpointConfig

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
        await server.cleanup()
        return first, peers

    first, after_restart = run_coroutine(scenario())
    assert len(first) == 1  # 20 calls, one TCP connection
    assert len(after_restart) == 1
