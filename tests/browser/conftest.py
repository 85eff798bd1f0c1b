"""Browser fixtures: the real stack (action server + Rasa server on free ports, fresh SQLite),
the web page that embeds the widget, and Debian's Chromium driven by Playwright. `pages` serves
tests/browser/pages/ (standard clients: rasa-webchat, a plain socket.io-client, our widget on polling)
on a second allowed origin, so every socket.io request from them is cross-origin.

Nothing here is skipped: a missing Chromium or axe-core fails the run, because `make test`
(scripts/test_services.sh) provides both.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot import db
from bot.runner import free_port, model_path
from bot.settings import load_settings
from bot.web import WEB_DIR, serve
from tests.integration.conftest import Bot, start_bot

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES_DIR = Path(__file__).parent / "pages"


@dataclass
class Site:
    """The running stack and the page that talks to it."""

    bot: Bot
    page_url: str
    origin: str
    rasa_url: str
    pages_origin: str = ""  # where the `pages` fixture serves tests/browser/pages/ (also allowed)

    def user_events(self, session_id: str, at_least: int = 0) -> int:
        """The user turns stored for this web-chat session id (see `Bot.user_turns`)."""
        return self.bot.user_turns(f"socketio:{session_id.split('.')[0]}", at_least)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    if not model_path(load_settings()).exists():
        pytest.fail("No trained model: run `make test` (it trains first)")
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'coprod.db'}"
    pages_origin = f"http://127.0.0.1:{free_port()}"
    allowed = f"{origin},{pages_origin}"
    # `rasa run --cors` (sanic-cors) and the socket.io server get the same origins, so a second
    # Access-Control-Allow-Origin header would show in these tests
    bot = start_bot(database_url, {"ALLOWED_ORIGINS": allowed})
    server = None
    try:
        assert set(bot.stack.settings.allowed_origins) == {origin, pages_origin}, bot.stack.settings.allowed_origins
        web_settings = load_settings({
            "DATABASE_URL": database_url,
            "RASA_PORT": str(bot.stack.settings.rasa_port),
            "WEB_PORT": str(web_port),
            "ALLOWED_ORIGINS": origin,
        })
        server = serve(web_settings)
        yield Site(bot=bot, page_url=f"{origin}/", origin=origin, rasa_url=bot.url, pages_origin=pages_origin)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        bot.stack.stop()
        db.get_engine(database_url).dispose()


@pytest.fixture(scope="session")
def page_url(site) -> str:
    return site.page_url


@pytest.fixture(scope="session")
def pages(site) -> str:
    """Serve tests/browser/pages/*.html (with __RASA_URL__ filled in), web/static/ at /static/ and the
    fetched rasa-webchat at /vendor/rasa-webchat.js on site.pages_origin; returns that origin."""
    files = {"/vendor/rasa-webchat.js": Path(os.environ.get("RASA_WEBCHAT_JS_PATH") or "/nonexistent")}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            target, ctype = files.get(path), "text/javascript; charset=utf-8"
            if path.endswith(".html") and "/" not in path[1:]:
                target, ctype = PAGES_DIR / path[1:], "text/html; charset=utf-8"
            elif path.startswith("/static/") and ".." not in path:
                target = WEB_DIR / path[1:]
                ctype = "text/css; charset=utf-8" if path.endswith(".css") else ctype
            if target is None or not target.is_file():
                self.send_error(404)
                return
            body = target.read_bytes()
            if path.endswith(".html"):
                body = body.replace(b"__RASA_URL__", site.rasa_url.encode())
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    port = int(site.pages_origin.rsplit(":", 1)[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="pages", daemon=True).start()
    try:
        yield site.pages_origin
    finally:
        server.shutdown()
        server.server_close()


def _fetched_script(name: str, variable: str) -> str:
    """The path of a script scripts/test_services.sh fetched (named by `variable`); fails if missing."""
    path = os.environ.get(variable, "")
    if not path or not Path(path).is_file():
        pytest.fail(f"{name} not found ({variable}={path!r}); run scripts/test_services.sh "
                    "(make test does) and source var/test-services.env")
    return path


@pytest.fixture(scope="session")
def rasa_webchat_js() -> str:
    return _fetched_script("rasa-webchat", "RASA_WEBCHAT_JS_PATH")


@pytest.fixture(scope="session")
def axe_js() -> str:
    return _fetched_script("axe-core", "AXE_JS_PATH")


@pytest.fixture(scope="session")
def browser():
    chromium = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        pytest.fail(f"Chromium not found at {chromium!r}; run scripts/test_services.sh (make test does) "
                    "and source var/test-services.env")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, reduced_motion="reduce")
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    assert not errors, f"JavaScript errors on the page: {errors}"
