"""The small web server `make run` starts: the demo page with the chat widget, the
widget's static files, and the staff report behind a token."""
from __future__ import annotations

import hmac
import logging
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qs, urlsplit

from bot.settings import ROOT, Settings

WEB_DIR = ROOT / "web"
MAX_PATH_CHARS = 2048
log = logging.getLogger("coprod.web")


def make_handler(settings: Settings, report: Optional[Callable[[], str]] = None) -> type:
    rasa_url = settings.rasa_url

    class Handler(BaseHTTPRequestHandler):
        server_version = "CoprodWeb"
        sys_version = ""

        def log_message(self, fmt: str, *args) -> None:  # quiet: no request log with paths/queries
            return

        def _send(self, status: int, body: bytes, ctype: str, extra: Optional[dict] = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_POST(self) -> None:
            self._send(405, b"Method not allowed", "text/plain; charset=utf-8", {"Allow": "GET, HEAD"})

        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

        def do_GET(self) -> None:
            try:
                self._get()
            except Exception as exc:  # never a dropped connection, and no path in the log
                log.error("web request failed: %s", type(exc).__name__)
                self._send(400, b"Bad request", "text/plain; charset=utf-8")

        def _get(self) -> None:
            if "\x00" in self.path or len(self.path) > MAX_PATH_CHARS:
                return self._send(400, b"Bad request", "text/plain; charset=utf-8")
            parts = urlsplit(self.path)
            path = parts.path
            if path in ("/", "/index.html"):
                html = (WEB_DIR / "index.html").read_text(encoding="utf-8").replace("__RASA_URL__", rasa_url)
                return self._send(200, html.encode(), "text/html; charset=utf-8")
            if path == "/healthz":
                return self._send(200, b"ok", "text/plain")
            if path == "/report":
                return self._report(parts.query)
            if path.startswith("/static/"):
                target = (WEB_DIR / path.lstrip("/")).resolve()
                if WEB_DIR.resolve() in target.parents and target.is_file():
                    ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                    if ctype.startswith("text/") or ctype.endswith("javascript"):
                        ctype += "; charset=utf-8"
                    return self._send(200, target.read_bytes(), ctype, {"Cache-Control": "no-cache"})
            self._send(404, b"Not found", "text/plain; charset=utf-8")

        def _report(self, query: str) -> None:
            token = settings.staff_token
            given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip() or \
                (parse_qs(query).get("token") or [""])[0]
            if not token or report is None:
                return self._send(404, b"The staff report is not enabled (set STAFF_TOKEN).", "text/plain; charset=utf-8")
            if not hmac.compare_digest(given.encode(), token.encode()):
                return self._send(401, b"A valid staff token is required.", "text/plain; charset=utf-8",
                                  {"WWW-Authenticate": "Bearer"})
            self._send(200, report().encode(), "text/html; charset=utf-8", {"Cache-Control": "no-store"})

    return Handler


def serve(settings: Settings, report: Optional[Callable[[], str]] = None) -> ThreadingHTTPServer:
    """Start the web server in a background thread and return it (call .shutdown() to stop)."""
    server = ThreadingHTTPServer((settings.host, settings.web_port), make_handler(settings, report))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server
