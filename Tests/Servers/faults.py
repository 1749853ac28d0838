"""A fault-injecting HTTP server for the runtime's live tests (standard library only).

Usage: python faults.py  → prints its port, then one JSON line per request received:
  {"id", "attempt", "method", "path", "query", "headers", "body_length", "body_sha256", "body", "client_port"}

The first path segment picks a behaviour; the second is an id the test chooses, so attempts are counted per id.
  /status/ID?seq=503,503,200&retry_after=2   answer each attempt with the next status (the last one repeats)
  /slow/ID?delay=2                           wait before answering
  /drop/ID?times=1                           read the whole request, then close without answering (first N times)
  /malformed/ID                              200 with a body that is not the JSON promised
  /truncated/ID                              200 announcing more bytes than it sends, then close
  /huge/ID?mb=64                             200 with a JSON array of that many MiB
  /bytes/ID?size=N                           200 with N bytes of application/octet-stream
  /redirect/ID?to=URL&status=302             redirect to URL (relative or absolute) with that status
  /loop/ID                                   a page whose next link is itself
  /reject/ID                                 401 quoting the X-Key it received
  /json/ID?body=JSON&status=200              answer with that JSON body and status
  /echo/ID                                   200 echoing what was received
  /unhealthy/ID                              500 with the text/plain body "the database is gone"
  /feed/ID/...?cursor=after-N&limit=3        7 notices as JSON arrays, `limit` a page after the cursor; the next
                                             cursor in the X-Next-Cursor header, absent on the last page
Every JSON answer includes the attempt number.
"""
import hashlib
import json
import os
import threading
import sys
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock
from urllib.parse import parse_qs, urlsplit

attempts = defaultdict(int)
lock = Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        behaviour, key = parts[0], "/".join(parts[:2])
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else self.read_chunked()
        with lock:
            attempts[key] += 1
            attempt = attempts[key]
        record = {
            "id": key, "attempt": attempt, "method": self.command, "path": url.path, "query": url.query,
            "headers": {name: value for name, value in self.headers.items()},
            "body_length": len(body), "body_sha256": hashlib.sha256(body).hexdigest(),
            "body": body.decode("utf-8", "replace") if len(body) <= 4096 else None,
            "client_port": self.client_address[1],
        }
        with lock:  # one line at a time: handlers run on several threads
            print(json.dumps(record), flush=True)
        getattr(self, "do_" + behaviour.replace("-", "_"), self.not_found)(attempt, query, record)

    def read_chunked(self):
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return b""
        data = b""
        while True:
            size = int(self.rfile.readline().strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return data
            data += self.rfile.read(size)
            self.rfile.readline()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def answer(self, status, payload, headers=None, content_type="application/json"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def not_found(self, attempt, query, record):
        self.answer(404, {"detail": "Not found."})

    def do_status(self, attempt, query, record):
        sequence = [int(s) for s in query.get("seq", "200").split(",")]
        status = sequence[min(attempt, len(sequence)) - 1]
        headers = {}
        if status >= 400 and "retry_after" in query:
            headers["Retry-After"] = query["retry_after"]
        detail = {"detail": f"status {status}", "attempt": attempt} if status >= 400 else {"attempt": attempt}
        self.answer(status, detail, headers)

    def do_unhealthy(self, attempt, query, record):
        self.answer(500, b"the database is gone", content_type="text/plain")

    def do_slow(self, attempt, query, record):
        time.sleep(float(query.get("delay", "2")))
        self.answer(200, {"attempt": attempt})

    def do_drop(self, attempt, query, record):
        if attempt <= int(query.get("times", "1")):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.answer(200, {"attempt": attempt})

    def do_malformed(self, attempt, query, record):
        self.answer(200, b'{"id": 1, "name": 42, "tags": ["a", ', )

    def do_truncated(self, attempt, query, record):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'{"id": 1, "na')
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(2)

    def do_huge(self, attempt, query, record):
        target = int(query.get("mb", "64")) * 1024 * 1024
        item = b'{"id": 123456, "name": "' + b"x" * 100 + b'"}'
        count = max(1, target // (len(item) + 1))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(2 + count * len(item) + (count - 1)))
        self.end_headers()
        self.wfile.write(b"[")
        chunk = b",".join([item] * 1000)
        written = 0
        while written < count:
            n = min(1000, count - written)
            self.wfile.write((b"," if written else b"") + (chunk if n == 1000 else b",".join([item] * n)))
            written += n
        self.wfile.write(b"]")

    def do_bytes(self, attempt, query, record):
        size = int(query.get("size", "1024"))
        self.answer(200, bytes(i % 251 for i in range(size)), content_type="application/octet-stream")

    def do_loop(self, attempt, query, record):
        self.answer(200, {"results": [attempt], "next": f"http://{self.headers['Host']}{self.path}"})

    def do_reject(self, attempt, query, record):
        self.answer(401, {"detail": f"token {self.headers.get('X-Key', '').removeprefix('Token ')} is not valid"})

    def do_redirect(self, attempt, query, record):
        self.send_response(int(query.get("status", "302")))
        self.send_header("Location", query["to"])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_json(self, attempt, query, record):
        self.answer(int(query.get("status", "200")), json.loads(query.get("body", "{}")))

    def do_feed(self, attempt, query, record):
        start = int(query.get("cursor", "after-0").removeprefix("after-"))
        end = min(start + int(query.get("limit", "3")), 7)
        headers = {"X-Next-Cursor": f"after-{end}"} if end < 7 else {}
        self.answer(200, [{"id": n, "text": f"notice {n}"} for n in range(start + 1, end + 1)], headers)

    def do_echo(self, attempt, query, record):
        self.answer(200, record)

    def log_message(self, *args):
        pass


# socketserver's backlog is 5; tests connect many at once.
ThreadingHTTPServer.request_queue_size = 128
server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
# Exit when the test process that started us goes away and our stdin closes.
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
server.serve_forever()
