"""A local SMTP server and a local robot webhook server for the delivery tests."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from houqin.notifications.models import Robot, RobotKind


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RobotServer:
    """Records every POST (path with query, headers, raw body) and answers from
    ``responses`` — (status, json or raw bytes) pairs, one per request — or {"errcode": 0}."""

    def __init__(self):
        self.requests = []
        self.responses = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "raw": raw}
                )
                status, answer = (
                    server.responses.pop(0) if server.responses else (200, {"errcode": 0})
                )
                # bytes: sent as they are (an HTML error page, say), else as JSON.
                raw_answer = isinstance(answer, bytes)
                data = answer if raw_answer else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html" if raw_answer else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def payloads(self):
        return [json.loads(r["raw"]) for r in self.requests]


def make_robot(school, server=None, **fields):
    kind = fields.pop("kind", RobotKind.WECOM)
    path = (
        "/cgi-bin/webhook/send?key=testkey"
        if kind == RobotKind.WECOM
        else ("/robot/send?access_token=testtoken")
    )
    base = server.url if server else "http://127.0.0.1:9"
    fields.setdefault("name", f"{kind}群")
    return Robot.objects.create(school=school, kind=kind, webhook=f"{base}{path}", **fields)
