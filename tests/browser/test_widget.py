"""The chat widget in a real browser (Debian's Chromium), talking to the REAL assistant:
web page -> coprod-chat.js -> socket.io -> Rasa -> action server -> SQLite.

Every wait is bounded (BOT_TIMEOUT per reply), so a stuck bot fails the test instead of hanging it.
Set WIDGET_SCREENSHOT=docs/widget.png to refresh the screenshot in the docs.
"""
from __future__ import annotations

import json
import re
import os
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

BOT_TIMEOUT = 20_000  # ms for one reply from the real bot
ROOT = "#coprod-chat"
BOT_MSG = '[data-testid="coprod-chat-bot-message"]'
USER_MSG = '[data-testid="coprod-chat-user-message"]'


# --------------------------------------------------------------------------- helpers


def load(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(f"{ROOT}[data-ready]", state="attached")


def wait_connected(page: Page) -> None:
    page.wait_for_selector(f'{ROOT}[data-connection="connected"]', state="attached", timeout=BOT_TIMEOUT)


def open_chat(page: Page, url: str = None) -> None:
    if url:
        load(page, url)
    page.get_by_test_id("coprod-chat-launcher").click()
    expect(page.get_by_test_id("coprod-chat-panel")).to_be_visible()
    wait_connected(page)


def bot_count(page: Page) -> int:
    return page.locator(BOT_MSG).count()


def bot_texts_since(page: Page, n: int) -> list:
    return page.evaluate(f"n => [...document.querySelectorAll('{BOT_MSG}')].slice(n).map(e => e.textContent)", n)


def wait_bot(page: Page, since: int, needle: str = "") -> str:
    """Wait until the bot messages after the first `since` contain `needle` (any reply if empty)."""
    try:
        page.wait_for_function(
            """([sel, n, needle]) => {
                 const t = [...document.querySelectorAll(sel)].slice(n).map(e => e.textContent).join('\\n');
                 return t.length > 0 && t.includes(needle);
               }""",
            arg=[BOT_MSG, since, needle],
            timeout=BOT_TIMEOUT,
        )
    except PlaywrightError as exc:
        raise AssertionError(f"no bot reply containing {needle!r} within {BOT_TIMEOUT} ms; "
                             f"got {bot_texts_since(page, since)}") from exc
    return "\n".join(bot_texts_since(page, since))


def say(page: Page, text: str, needle: str = "") -> str:
    before = bot_count(page)
    box = page.get_by_test_id("coprod-chat-input")
    box.fill(text)
    box.press("Enter")
    return wait_bot(page, before, needle)


def click_choice(page: Page, title: str, needle: str = "") -> str:
    """Click the newest still-active bot button called `title`, and wait for the reply."""
    before = bot_count(page)
    buttons = page.locator(f'{BOT_MSG} [data-testid="coprod-chat-bot-button"]:not([disabled])')
    buttons.filter(has_text=title).last.click()
    expect(page.locator(USER_MSG).last).to_contain_text(title)  # the title is shown, not the payload
    return wait_bot(page, before, needle)


def session_id(page: Page) -> str:
    return page.evaluate("window.CoprodChat.sessionId()")


def tab_to(page: Page, testid: str, key: str = "Tab", limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("document.activeElement && document.activeElement.getAttribute('data-testid')") == testid:
            return
    raise AssertionError(f"{testid} not reached with {key} in {limit} presses")


def run_axe(page: Page, axe_js: str) -> dict:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=axe_js)
    return page.evaluate(
        """() => axe.run(document, {
               resultTypes: ['violations'],
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}
           })"""
    )


def polling_handshake(rasa_url: str, origin: str) -> tuple:
    req = urllib.request.Request(f"{rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(errors="replace"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), dict(e.headers)


# --------------------------------------------------------------------------- tests


def test_keyboard_open_ask_follow_up_and_reload(site, page):
    load(page, site.page_url)
    # keyboard only: Tab to the launcher, Enter opens the panel and focuses the text box
    tab_to(page, "coprod-chat-launcher")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("coprod-chat-panel")).to_be_visible()
    expect(page.get_by_test_id("coprod-chat-input")).to_be_focused()
    wait_connected(page)
    before = bot_count(page)
    page.keyboard.type("what is co-production?")
    page.keyboard.press("Enter")
    answer = wait_bot(page, before, "Source:")
    expect(page.locator(USER_MSG).last).to_contain_text("what is co-production?")

    # a bot button: "Tell me more" gives a different answer, also sourced
    more = click_choice(page, "Tell me more", "Source:")
    assert more.strip() and more != answer

    sid = session_id(page)
    assert sid and page.evaluate("localStorage.getItem('coprodChat.sessionId')") == sid
    n_msgs = page.locator(f"{ROOT} .cpc-msg").count()
    events_before = site.user_events(sid, at_least=2)
    assert events_before >= 2

    # reload: the transcript is back, and the same conversation goes on with the server
    page.reload()
    page.wait_for_selector(f"{ROOT}[data-ready]", state="attached")
    expect(page.locator(f'{ROOT} .cpc-msg[data-restored="true"]')).to_have_count(n_msgs)
    expect(page.get_by_test_id("coprod-chat-log")).to_contain_text("Source:")
    open_chat(page)
    assert session_id(page) == sid
    # the follow-up's buttons are still live after the reload; one of them still works
    reply = click_choice(page, "Take the self-check", "work in the service")
    assert "work in the service" in reply
    assert session_id(page) == sid
    assert site.user_events(sid, at_least=events_before + 1) == events_before + 1


def test_staff_self_check_through_the_page_is_saved(site, page):
    team = f"Ward {uuid.uuid4().hex[:6]}"
    open_chat(page, site.page_url)
    say(page, "start the self-check", "work in the service")
    click_choice(page, "I work in the service", "team")
    say(page, team, "Statement 1 of 6")
    for n in range(1, 7):
        nxt = f"Statement {n + 1} of 6" if n < 6 else "Anything else"
        click_choice(page, "3 - Partly", nxt)  # "3" never triggers the example follow-up
    click_choice(page, "Skip", "Shall I save")
    assert site.bot.rows("SELECT COUNT(*) FROM submission WHERE team = :t", t=team)[0][0] == 0  # consent first
    result = click_choice(page, "Yes, save my answers", "Overall")
    assert "Overall: 50 out of 100" in result
    rows = site.bot.rows("SELECT kind, role, channel, team, overall_score FROM submission WHERE team = :t", t=team)
    assert len(rows) == 1, rows
    kind, role, channel, stored_team, overall = rows[0]
    assert (kind, role, channel, stored_team) == ("staff_check", "staff", "socketio", team)
    assert abs(overall - 50) < 0.1


def test_html_in_messages_is_shown_as_text(site, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_chat(page, site.page_url)
    evil = "<script>alert(1)</script> and <b>x</b>"
    before = bot_count(page)
    box = page.get_by_test_id("coprod-chat-input")
    box.fill(evil)
    box.press("Enter")
    bubble = page.locator(USER_MSG).last.locator(".cpc-text")
    expect(bubble).to_have_text(evil)
    assert bubble.evaluate("e => e.textContent") == evil
    wait_bot(page, before)  # the real bot answers something
    log = page.get_by_test_id("coprod-chat-log")
    assert log.locator("b, script, img, iframe").count() == 0
    # restored from localStorage it is still text
    page.reload()
    page.wait_for_selector(f"{ROOT}[data-ready]", state="attached")
    expect(page.locator(USER_MSG).last.locator(".cpc-text")).to_have_text(evil)
    assert page.get_by_test_id("coprod-chat-log").locator("b, script").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []


def test_forged_session_gets_a_new_conversation(site, browser, page):
    # someone else's conversation: its id is known (say, from a log), its signature is not
    other_ctx = browser.new_context()
    try:
        other = other_ctx.new_page()
        open_chat(other, site.page_url)
        say(other, "what is co-production?", "Source:")
        victim = session_id(other)
    finally:
        other_ctx.close()
    assert victim and "." in victim
    victim_events = site.user_events(victim, at_least=1)

    load(page, site.page_url)
    for forged in (victim.split(".")[0], victim.split(".")[0] + "." + "0" * 64):
        page.evaluate("id => localStorage.setItem('coprodChat.sessionId', id)", forged)
        page.reload()
        page.wait_for_selector(f"{ROOT}[data-ready]", state="attached")
        open_chat(page)
        mine = session_id(page)
        assert mine and mine.split(".")[0] != victim.split(".")[0]
        assert page.evaluate("localStorage.getItem('coprodChat.sessionId')") == mine
    say(page, "hello")
    assert site.user_events(victim, at_least=victim_events) == victim_events  # nothing landed in the other conversation
    assert site.user_events(mine, at_least=1) == 1


def test_socketio_rejects_other_origins(site):
    status, body, _ = polling_handshake(site.rasa_url, "http://evil.example")
    assert status == 400 or '"sid"' not in body, (status, body)
    status, body, headers = polling_handshake(site.rasa_url, site.origin)
    assert status == 200, (status, body)
    assert body.startswith("0") and '"sid"' in body, body
    assert json.loads(body[1:])["sid"]
    allow = {k.lower(): v for k, v in headers.items()}.get("access-control-allow-origin")
    assert allow == site.origin, headers


def test_axe_panel_with_messages_and_buttons(site, page, axe_js, capsys):
    open_chat(page, site.page_url)
    say(page, "what is co-production?", "Source:")
    buttons = page.locator(f'{BOT_MSG} [data-testid="coprod-chat-bot-button"]:not([disabled])')
    expect(buttons.first).to_be_visible()
    buttons.last.focus()
    shot = os.environ.get("WIDGET_SCREENSHOT")
    if shot:
        Path(shot).parent.mkdir(parents=True, exist_ok=True)
        page.mouse.move(5, 5)  # no hover styles in the picture
        page.screenshot(path=shot)

    problems = {}
    for label in ("panel open, answer with buttons", "high contrast"):
        if label == "high contrast":
            page.get_by_test_id("coprod-chat-contrast").click()
            expect(page.locator(ROOT)).to_have_class(re.compile(r"\bcpc-hc\b"))
        result = run_axe(page, axe_js)
        violations = result["violations"]
        counts = Counter(v["impact"] for v in violations)
        with capsys.disabled():
            print(f"\naxe-core {result.get('testEngine', {}).get('version')} ({label}): "
                  f"{len(violations)} rule(s) violated; by impact "
                  f"{dict(sorted(counts.items())) or '{}'}; "
                  f"rules {[(v['id'], v['impact'], len(v['nodes'])) for v in violations]}")
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in violations if v["impact"] in ("serious", "critical")]
        if bad:
            problems[label] = bad
    assert not problems, f"axe serious/critical violations: {problems}"


def test_text_size_and_contrast_with_the_keyboard(site, page):
    load(page, site.page_url)
    tab_to(page, "coprod-chat-launcher")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("coprod-chat-input")).to_be_focused()
    root = page.locator(ROOT)

    def size() -> float:
        return float(root.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))

    base = size()
    tab_to(page, "coprod-chat-larger", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    bigger = size()
    assert bigger > base, (base, bigger)
    expect(page.get_by_test_id("coprod-chat-status")).to_contain_text("Text size")
    tab_to(page, "coprod-chat-smaller", key="Shift+Tab")
    page.keyboard.press("Space")
    assert base < size() < bigger

    contrast = page.get_by_test_id("coprod-chat-contrast")
    expect(contrast).to_have_attribute("aria-pressed", "false")
    tab_to(page, "coprod-chat-contrast")
    page.keyboard.press("Space")
    expect(contrast).to_have_attribute("aria-pressed", "true")
    expect(root).to_have_class(re.compile(r"\bcpc-hc\b"))
    page.keyboard.press("Enter")
    expect(contrast).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")
    expect(contrast).to_have_attribute("aria-pressed", "true")

    # both settings persist across a reload
    kept = size()
    page.reload()
    page.wait_for_selector(f"{ROOT}[data-ready]", state="attached")
    assert abs(size() - kept) < 0.5
    expect(page.get_by_test_id("coprod-chat-contrast")).to_have_attribute("aria-pressed", "true")
