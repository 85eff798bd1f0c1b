"""The web server: demo page with the Rasa address filled in, static files, and the staff report behind a token."""
import urllib.error
import urllib.request

import pytest

from bot.runner import free_port
from bot.settings import load_settings
from bot.web import serve


def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture
def server(db_url):
    from bot import report

    settings = load_settings({"DATABASE_URL": db_url, "WEB_PORT": str(free_port()), "RASA_PORT": "5999",
                              "STAFF_TOKEN": "s3cret"})
    srv = serve(settings, report=report.render_html)
    yield settings.web_url
    srv.shutdown()


def test_demo_page_points_the_widget_at_rasa_and_serves_its_files(server):
    status, html = get(server + "/")
    assert status == 200 and "http://127.0.0.1:5999" in html and "__RASA_URL__" not in html
    assert get(server + "/static/coprod-chat.js")[0] == 200
    assert get(server + "/static/../../bot/settings.py")[0] == 404


def test_report_needs_the_staff_token(server):
    assert get(server + "/report")[0] == 401
    assert get(server + "/report?token=wrong")[0] == 401
    status, html = get(server + "/report", {"Authorization": "Bearer s3cret"})
    assert status == 200 and "<html" in html.lower()


def test_report_is_off_without_a_configured_token(db_url):
    settings = load_settings({"DATABASE_URL": db_url, "WEB_PORT": str(free_port())})
    srv = serve(settings, report=lambda: "never")
    try:
        assert get(settings.web_url + "/report?token=")[0] == 404
    finally:
        srv.shutdown()


def _raw(url: str, request: bytes) -> bytes:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(request)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("path", [b"/static/a\x00b", b"/static/" + b"a" * 600, b"/" + b"x" * 5000],
                         ids=["nul byte", "long file name", "long path"])
def test_every_request_gets_an_answer(server, path, caplog):
    answer = _raw(server, b"GET " + path + b" HTTP/1.0\r\nHost: localhost\r\n\r\n")
    status = answer.split(b"\r\n", 1)[0]
    assert status in (b"HTTP/1.0 400 Bad Request", b"HTTP/1.0 404 Not Found"), status
    assert path.decode(errors="replace")[:40] not in caplog.text


def test_other_methods_are_refused_politely(server):
    answer = _raw(server, b"POST / HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 405")
