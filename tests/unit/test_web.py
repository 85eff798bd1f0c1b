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
