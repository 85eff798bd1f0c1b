"""Clients nobody on the team wrote, in Debian's Chromium, against the REAL stack (tests/browser/conftest.py):

* botfront's rasa-webchat 1.0.1, embedded exactly as its README says (tests/browser/pages/webchat.html);
* a plain socket.io-client 4 with its default options: long-polling first, then the upgrade to WebSocket
  (tests/browser/pages/socketio.html);
* our own widget forced onto HTTP long-polling (`data-transports="polling"`).

The pages are served by the `pages` fixture on a second allowed origin, another port than the Rasa
server's, so every socket.io request is cross-origin: Chromium refuses a polling response whose
Access-Control-Allow-Origin has "multiple values", and each test also reads that header as the browser
received it (`assert_one_allow_origin`).
"""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

BOT_TIMEOUT = 20_000  # ms for one reply from the real bot (rasa-webchat adds up to 3 s of "typing")
CREDENTIAL = re.compile(r"^[0-9a-f]{32}\.[0-9a-f]{64}$")
GREETING = "Hello! I'm the Co-production Guide"


# --------------------------------------------------------------------------- helpers


def wait_texts(page: Page, selector: str, since: int, needle: str) -> str:
    """Wait until the elements matching `selector`, after the first `since`, contain `needle`."""
    js = f"n => [...document.querySelectorAll({selector!r})].slice(n).map(e => e.textContent).join('\\n')"
    try:
        page.wait_for_function(f"([n, needle]) => ({js})(n).includes(needle)", arg=[since, needle],
                               timeout=BOT_TIMEOUT)
    except PlaywrightError as exc:
        raise AssertionError(f"no reply containing {needle!r} within {BOT_TIMEOUT} ms; got "
                             f"{page.evaluate(js, since)!r}") from exc
    return page.evaluate(js, since)


def watch_socketio(page: Page, rasa_url: str) -> list:
    """The socket.io HTTP responses the page receives from the Rasa server (read later)."""
    seen = []
    page.on("response", lambda r: seen.append(r) if r.url.startswith(f"{rasa_url}/socket.io/") else None)
    return seen


def assert_one_allow_origin(responses: list, origin: str) -> None:
    polling = [r for r in responses if "transport=polling" in r.url]
    assert polling, "no long-polling response seen: the test did not exercise CORS"
    for r in polling:
        values = [h["value"] for h in r.headers_array() if h["name"].lower() == "access-control-allow-origin"]
        values = [v.strip() for joined in values for v in re.split(r"[\n,]", joined)]
        assert values == [origin], (r.request.method, r.url, values)


# --------------------------------------------------------------------------- rasa-webchat

WC_BOT = ".rw-response"
WC_USER = ".rw-client"


def webchat_session(page: Page, storage: str) -> str:
    area = "localStorage" if storage == "local" else "sessionStorage"
    return page.evaluate(f"JSON.parse({area}.getItem('chat_session') || '{{}}').session_id || null")


def wc_say(page: Page, text: str, needle: str) -> str:
    before = page.locator(WC_BOT).count()
    box = page.locator(".rw-new-message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(WC_USER).last).to_contain_text(text)
    return wait_texts(page, WC_BOT, before, needle)


def wc_click(page: Page, title: str, needle: str) -> str:
    before = page.locator(WC_BOT).count()
    page.locator(".rw-reply").filter(has_text=title).last.click()
    return wait_texts(page, WC_BOT, before, needle)


def open_webchat(page: Page, url: str) -> None:
    # its bundled CSS asks fonts.googleapis.com for a font: nothing leaves the machine at test time
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page.goto(url)
    # rasa-webchat keeps itself hidden until the server has confirmed a session
    expect(page.locator(".rw-launcher")).to_be_visible(timeout=BOT_TIMEOUT)


def test_rasa_webchat_self_check_to_the_end_across_a_reload(site, pages, rasa_webchat_js, page):
    team = f"Webchat {uuid.uuid4().hex[:6]}"
    responses = watch_socketio(page, site.rasa_url)
    open_webchat(page, f"{pages}/webchat.html?storage=local")
    page.locator(".rw-launcher").click()
    wait_texts(page, WC_BOT, 0, GREETING)  # the README's initPayload, "/greet" here
    sid = webchat_session(page, "local")
    assert sid and CREDENTIAL.match(sid), sid
    wc_say(page, "what is co-production?", "Source:")
    wc_say(page, "start the self-check", "work in the service")
    wc_click(page, "I work in the service", "team")
    wc_say(page, team, "Statement 1 of 6")
    wc_click(page, "3 - Partly", "Statement 2 of 6")
    sent = 6  # /greet, the question, the start, the role, the team, one rating
    assert site.user_events(sid, at_least=sent) == sent

    page.reload()
    expect(page.locator(".rw-launcher")).to_be_visible(timeout=BOT_TIMEOUT)
    if not page.locator(".rw-new-message").is_visible():
        page.locator(".rw-launcher").click()
    log = page.locator(".rw-messages-container")
    expect(log).to_contain_text("Source:")  # the earlier messages are back
    expect(log).to_contain_text("Statement 2 of 6")
    assert webchat_session(page, "local") == sid
    # the server kept the conversation: the next rating moves the same self-check on
    for n in range(2, 7):
        nxt = f"Statement {n + 1} of 6" if n < 6 else "Anything else"
        wc_click(page, "3 - Partly", nxt)
    wc_click(page, "Skip", "Shall I save")
    result = wc_click(page, "Yes, save my answers", "Overall")
    assert "Overall: 50 out of 100" in result
    sent += 7  # five ratings, skip, save
    assert webchat_session(page, "local") == sid
    assert site.user_events(sid, at_least=sent) == sent  # every turn, before and after the reload, in one conversation
    rows = site.bot.rows("SELECT kind, channel FROM submission WHERE team = :t", t=team)
    assert rows == [("staff_check", "socketio")], rows
    assert_one_allow_origin(responses, pages)


def test_rasa_webchat_session_storage_keeps_the_conversation(site, pages, rasa_webchat_js, page):
    responses = watch_socketio(page, site.rasa_url)
    open_webchat(page, f"{pages}/webchat.html?storage=session")
    page.locator(".rw-launcher").click()
    wait_texts(page, WC_BOT, 0, GREETING)
    sid = webchat_session(page, "session")
    assert sid and CREDENTIAL.match(sid), sid
    assert page.evaluate("localStorage.getItem('chat_session')") is None  # params.storage is honoured
    wc_say(page, "what is co-production?", "Source:")
    wc_say(page, "start the self-check", "work in the service")

    page.reload()
    expect(page.locator(".rw-launcher")).to_be_visible(timeout=BOT_TIMEOUT)
    if not page.locator(".rw-new-message").is_visible():
        page.locator(".rw-launcher").click()
    expect(page.locator(".rw-messages-container")).to_contain_text("Source:")
    # a reply that only makes sense in the same conversation (a new one would not ask for the team)
    wc_click(page, "I work in the service", "team")
    assert webchat_session(page, "session") == sid
    assert site.user_events(sid, at_least=4) == 4
    assert_one_allow_origin(responses, pages)


# --------------------------------------------------------------------------- plain socket.io-client


def plain_client(page: Page, url: str, count: int = 1) -> str:
    """Load the socket.io-client page; wait for its `count`-th session_confirm and return that id."""
    page.goto(url)
    try:
        page.wait_for_function("n => window.chat.confirmed.length >= n", arg=count, timeout=BOT_TIMEOUT)
    except PlaywrightError as exc:
        raise AssertionError(f"no session_confirm; connect errors {page.evaluate('window.chat.errors')}") from exc
    return page.evaluate("window.chat.confirmed[window.chat.confirmed.length - 1]")


def plain_say(page: Page, text: str, needle: str) -> dict:
    """Send `text` as user_uttered; wait for a bot_uttered containing `needle` and return it."""
    before = page.evaluate("window.chat.bot.length")
    page.evaluate("t => window.chat.say(t)", text)
    js = "n => window.chat.bot.slice(n).map(m => m.text || '')"
    try:
        page.wait_for_function(f"([n, needle]) => ({js})(n).some(t => t.includes(needle))",
                               arg=[before, needle], timeout=BOT_TIMEOUT)
    except PlaywrightError as exc:
        raise AssertionError(f"no bot_uttered with {needle!r}; got {page.evaluate(js, before)!r}") from exc
    return page.evaluate("([n, needle]) => window.chat.bot.slice(n).find(m => (m.text || '').includes(needle))",
                         [before, needle])


def payload_of(message: dict, title: str) -> str:
    return next(b["payload"] for b in message.get("quick_replies", []) if b["title"] == title)


def test_plain_socketio_client_resumes_with_only_the_session_id(site, pages, page):
    responses = watch_socketio(page, site.rasa_url)
    url = f"{pages}/socketio.html"
    sid = plain_client(page, url)
    assert CREDENTIAL.match(sid), sid
    # socket.io-client's defaults: it opened on long-polling and then upgraded to a WebSocket
    page.wait_for_function("window.chat.transports.includes('websocket')", timeout=BOT_TIMEOUT)
    assert page.evaluate("window.chat.transports") == ["polling", "websocket"]
    answer = plain_say(page, "what is co-production?", "Source:")
    more = payload_of(answer, "Tell me more")
    assert more.startswith("/"), more

    page.reload()
    assert plain_client(page, url) == sid  # the stored id alone resumes the conversation
    # the button from before the reload is still this conversation's: it is answered, not greeted
    reply = plain_say(page, more, "Source:")
    assert GREETING not in reply["text"]
    assert site.user_events(sid, at_least=2) == 2
    # a self-check, with another reload in the middle of it
    plain_say(page, "/start_self_check", "work in the service")
    plain_say(page, "I work in the service", "Which service or team")
    page.reload()
    assert plain_client(page, url) == sid
    plain_say(page, "Plain client team", "Statement 1 of 6")
    plain_say(page, "3", "Statement 2 of 6")
    assert site.user_events(sid, at_least=6) == 6
    assert_one_allow_origin(responses, pages)


def test_plain_socketio_client_with_a_forged_id_gets_a_new_session(site, pages, browser, page):
    url = f"{pages}/socketio.html"
    other_ctx = browser.new_context()
    try:
        other = other_ctx.new_page()
        victim = plain_client(other, url)
        more = payload_of(plain_say(other, "what is co-production?", "Source:"), "Tell me more")
    finally:
        other_ctx.close()
    conversation = victim.split(".")[0]

    responses = watch_socketio(page, site.rasa_url)
    page.goto(url)
    for forged in (conversation, f"{conversation}.{'0' * 64}", f"{uuid.uuid4().hex}.{victim.split('.')[1]}",
                   "my-own-id"):
        page.evaluate("id => localStorage.setItem('sessionId', id)", forged)
        mine = plain_client(page, url)
        assert CREDENTIAL.match(mine) and mine.split(".")[0] not in (conversation, forged.split(".")[0]), \
            (forged, mine)
        assert page.evaluate("localStorage.getItem('sessionId')") == mine
    # the other conversation's button, clicked in this brand-new one, gets the greeting
    plain_say(page, more, GREETING)
    assert site.user_events(victim, at_least=1) == 1  # nothing landed in the other conversation
    assert site.user_events(mine, at_least=1) == 1
    assert_one_allow_origin(responses, pages)


# --------------------------------------------------------------------------- our widget, polling only

ROOT = "#coprod-chat"
BOT_MSG = '[data-testid="coprod-chat-bot-message"]'


def widget_say(page: Page, text: str, needle: str) -> str:
    before = page.locator(BOT_MSG).count()
    box = page.get_by_test_id("coprod-chat-input")
    box.fill(text)
    box.press("Enter")
    return wait_texts(page, BOT_MSG, before, needle)


def widget_open(page: Page) -> None:
    page.wait_for_selector(f"{ROOT}[data-ready]", state="attached")
    page.get_by_test_id("coprod-chat-launcher").click()
    page.wait_for_selector(f'{ROOT}[data-connection="connected"]', state="attached", timeout=BOT_TIMEOUT)


def test_our_widget_over_long_polling_only(site, pages, page):
    websockets = []
    page.on("websocket", lambda ws: websockets.append(ws.url))
    responses = watch_socketio(page, site.rasa_url)
    page.goto(f"{pages}/widget-polling.html")
    widget_open(page)
    assert page.evaluate("window.CoprodChat.config.transports") == ["polling"]
    widget_say(page, "what is co-production?", "Source:")
    widget_say(page, "start the self-check", "work in the service")
    sid = page.evaluate("window.CoprodChat.sessionId()")
    assert CREDENTIAL.match(sid), sid

    page.reload()
    expect(page.locator(f'{ROOT} .cpc-msg[data-restored="true"]').first).to_be_attached()
    expect(page.get_by_test_id("coprod-chat-log")).to_contain_text("Source:")
    widget_open(page)
    assert page.evaluate("window.CoprodChat.sessionId()") == sid
    before = page.locator(BOT_MSG).count()
    page.locator(f'{BOT_MSG} [data-testid="coprod-chat-bot-button"]:not([disabled])') \
        .filter(has_text="I work in the service").last.click()
    wait_texts(page, BOT_MSG, before, "team")  # the same conversation went on
    assert site.user_events(sid, at_least=3) == 3
    assert websockets == [], websockets  # all of it over HTTP long-polling
    assert all("transport=polling" in r.url for r in responses), [r.url for r in responses]
    assert_one_allow_origin(responses, pages)
