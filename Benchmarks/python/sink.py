"""A discard sink that answers chunked uploads as drf-chunked-upload does, without storing or parsing what it is sent,
so an upload benchmark measures the client rather than the server.

`PUT /chunked_upload/` or `PUT {url}` with `Content-Range: bytes A-B/TOTAL` answers `{id, url, offset: B+1, ...}`;
`POST {url}` answers the finished upload with `completed_at` set; `GET {url}` its state; anything else is discarded
with `200 {}` (a plain PUT is what `curl -T` sends). Prints its port, then nothing. Exits when stdin closes.
"""
import json
import os
import re
import socket
import sys
import threading
import uuid

RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
UPLOADS = {}
lock = threading.Lock()


def answer(connection, status, document):
    body = json.dumps(document).encode()
    head = f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    connection.sendall(head.encode() + body)


def handle(connection, port):
    buffer = bytearray(4 << 20)
    view = memoryview(buffer)
    pending = b""
    while True:
        while b"\r\n\r\n" not in pending:
            data = connection.recv(65536)
            if not data:
                return
            pending += data
        head, pending = pending.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        length = int(headers.get("content-length", 0))
        if headers.get("expect", "").lower() == "100-continue":
            connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = pending[:length] if method == "POST" else b""
        remaining = length - len(pending[:length])
        pending = pending[length:]
        while remaining > 0:
            received = connection.recv_into(view, min(remaining, len(buffer)))
            if not received:
                return
            if method == "POST":
                body += view[:received]
            remaining -= received
        path = target.split("?", 1)[0]
        match = RANGE.match(headers.get("content-range", ""))
        if method == "PUT" and path.startswith("/chunked_upload/") and match:
            upload = path[len("/chunked_upload/"):].strip("/") or str(uuid.uuid4())
            with lock:
                UPLOADS[upload] = int(match.group(2)) + 1
            answer(connection, 200, state(upload, port, completed=False))
        elif method in ("POST", "GET") and path.startswith("/chunked_upload/") and path.strip("/") != "chunked_upload":
            upload = path[len("/chunked_upload/"):].strip("/")
            document = state(upload, port, completed=method == "POST")
            if method == "POST":
                fields = json.loads(body or b"{}")
                document.update({"md5": fields.get("md5"), "checksum": fields.get("md5")})
            answer(connection, 200, document)
        else:
            answer(connection, 200, {})


def state(upload, port, completed):
    with lock:
        offset = UPLOADS.get(upload, 0)
    return {"id": upload, "url": f"http://127.0.0.1:{port}/chunked_upload/{upload}/", "file": None, "filename": "file",
            "offset": offset, "created_at": "2026-11-23T10:00:00Z", "status": 2 if completed else 1,
            "completed_at": "2026-11-23T10:00:01Z" if completed else None, "size": offset}


def serve(connection, port):
    with connection:
        try:
            handle(connection, port)
        except (ConnectionError, OSError):
            pass


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
port = listener.getsockname()[1]
print(port, flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
while True:
    client, _ = listener.accept()
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=serve, args=(client, port), daemon=True).start()
