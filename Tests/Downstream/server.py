"""The greeting service the downstream fixture calls: GET /greetings/<name>[?excited=true], and GET /meta/version,
which a test adds to the fixture's spec between two builds.

Prints the port it listens on, then one line per request it receives: METHOD PATH KEY-HEADER.
"""
import json
import os
import threading
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        print(f"GET {self.path} {self.headers.get('X-Greeting-Key')}", flush=True)
        if url.path == "/meta/version":
            self.answer({"version": "1.2.3"})
            return
        if not url.path.startswith("/greetings/"):
            self.send_error(404)
            return
        name = unquote(url.path[len("/greetings/"):])
        excited = parse_qs(url.query).get("excited") == ["true"]
        self.answer({
            "message": f"Hello, {name}" + ("!" if excited else "."),
            "received_key": self.headers.get("X-Greeting-Key"),
        })

    def answer(self, document):
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
# Exit when the test process that started us goes away and our stdin closes.
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
server.serve_forever()
