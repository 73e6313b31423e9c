"""A notification target on 127.0.0.1 for `qiye remind --send` (issue 23): a threading HTTP
server that keeps every JSON body apprise's `json://` posts to it, answers 500 on /fail, and on
/hang holds the request without answering until the test ends. Nothing leaves this machine."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class NotifyTarget:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.release = threading.Event()
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.split("?")[0]
                if path.startswith("/hang"):
                    target.release.wait(60)
                    return
                target.received.append((path, body))
                self.send_response(500 if path.startswith("/fail") else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [body for where, body in self.received if where == f"/{path}"]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def refused_url(path: str = "nobody") -> str:
    """A json:// URL on a port of 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"json://127.0.0.1:{port}/{path}"
