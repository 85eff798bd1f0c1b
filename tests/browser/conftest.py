"""Browser fixtures: the real stack (action server + Rasa server on free ports, fresh SQLite),
the web page that embeds the widget, and Debian's Chromium driven by Playwright.

Nothing here is skipped: a missing Chromium or axe-core fails the run, because `make test`
(scripts/test_services.sh) provides both.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import db
from bot.runner import free_port, model_path
from bot.settings import load_settings
from bot.web import serve
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


@dataclass
class Site:
    """The running stack and the page that talks to it."""

    bot: Bot
    page_url: str
    origin: str
    rasa_url: str


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    if not model_path(load_settings()).exists():
        pytest.fail("No trained model: run `make test` (it trains first)")
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'coprod.db'}"
    bot = start_bot(database_url, {"ALLOWED_ORIGINS": origin})
    server = None
    try:
        web_settings = load_settings({
            "DATABASE_URL": database_url,
            "RASA_PORT": str(bot.stack.settings.rasa_port),
            "WEB_PORT": str(web_port),
            "ALLOWED_ORIGINS": origin,
        })
        server = serve(web_settings)
        yield Site(bot=bot, page_url=f"{origin}/", origin=origin, rasa_url=bot.url)
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
def axe_js() -> str:
    path = os.environ.get("AXE_JS_PATH", "")
    if not path or not Path(path).is_file():
        pytest.fail(f"axe-core not found (AXE_JS_PATH={path!r}); run scripts/test_services.sh "
                    "(make test does) and source var/test-services.env")
    return path


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
