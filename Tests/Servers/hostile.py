"""A server that breaks HTTP/1.1 on purpose, for the socket transport's tests (standard library only).

Usage: python hostile.py [--tls CERTIFICATE KEY]  → prints its port, then one JSON line per request head received:
  {"case", "method", "target", "headers", "body_length", "client_port"}

The request's first path segment names the case (also when it comes as to a proxy, in absolute form): the answer is written as raw bytes, whatever they break.
  /ok                 a well-formed 200 with a JSON body (`{"ok": true}`), on a connection kept open
  /idle-close         as /ok, then closes the connection 1 ms later, as a server with a short keep-alive does
  /long-chunk         a chunk longer than its size
  /two-lengths        two different Content-Lengths
  /gzip-chunked       Transfer-Encoding: gzip, chunked
  /te-and-length      Transfer-Encoding: chunked beside a Content-Length
  /plus-length        Content-Length: +14
  /minus-chunk        a chunk size of -1
  /huge-length        a Content-Length past 2^64
  /bad-status         a status line that is not HTTP/1.1
  /huge-head          a header larger than 64 KiB
  /many-fields        10,000 header fields
  /obs-fold           a header continued on a folded line
  /interim            100 Continue and 103 Early Hints before a 201
  /no-crlf            a chunk whose data is not followed by CRLF
  /dribble            a header a byte every 50 ms, never ending
  /quiet              the head of a chunked body, then nothing
  /early-413          413 as soon as the head arrives, then reads nothing more, and holds the connection
  /close-now          closes without answering
  /trailer            a chunked body followed by a trailer field
  /slow-body          a chunked body a byte every 50 ms, never ending
  /redirect           307 to /ok on the same origin
  /echo               200 with the request's body as its own
With --tls the same cases are served over TLS with the certificate and key given (PEM files).
A CONNECT is logged (case "connect") and answered 200, and the connection goes on as if it reached the host named:
the server is its own far end, so a client that tunnels through a proxy can be tested with one server.
"""
import asyncio
import json
import ssl
import sys

OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}'
JSON = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"

ANSWERS = {
    "long-chunk": JSON + b'Transfer-Encoding: chunked\r\n\r\n5\r\n{"ok": true}\r\n0\r\n\r\n',
    "two-lengths": JSON + b'Content-Length: 12\r\nContent-Length: 2\r\n\r\n{"ok": true}',
    "gzip-chunked": JSON + b"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n\x1f\x8b\r\n0\r\n\r\n",
    "te-and-length": JSON + b'Transfer-Encoding: chunked\r\nContent-Length: 12\r\n\r\nc\r\n{"ok": true}\r\n0\r\n\r\n',
    "plus-length": JSON + b'Content-Length: +12\r\n\r\n{"ok": true}',
    "minus-chunk": JSON + b"Transfer-Encoding: chunked\r\n\r\n-1\r\n\r\n",
    "huge-length": JSON + b"Content-Length: 99999999999999999999999\r\n\r\n{}",
    "bad-status": b'HTTP/1.1 2OO OK\r\nContent-Length: 12\r\n\r\n{"ok": true}',
    "huge-head": JSON + b"X-Big: " + b"a" * (70 << 10) + b'\r\nContent-Length: 12\r\n\r\n{"ok": true}',
    "many-fields": JSON + b"X-A: 1\r\n" * 10_000 + b'Content-Length: 12\r\n\r\n{"ok": true}',
    "obs-fold": JSON + b'X-Folded: first\r\n  second\r\nContent-Length: 12\r\n\r\n{"ok": true}',
    "interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
    + b'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}',
    "no-crlf": JSON + b'Transfer-Encoding: chunked\r\n\r\nc\r\n{"ok": true}XX0\r\n\r\n',
    "trailer": JSON + b'Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\nc\r\n{"ok": true}\r\n0\r\nX-Checksum: 42\r\n\r\n',
    "redirect": b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /ok\r\nContent-Length: 0\r\n\r\n",
}


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip()] = value.strip()
    return method, target, headers


async def serve(reader, writer):
    try:
        while True:
            try:
                method, target, headers = await read_head(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            # A proxy's request names the whole URL (absolute form); the case is its path's first segment.
            path = target.split("://", 1)[1].split("/", 1)[1] if "://" in target else target
            case = "connect" if method == "CONNECT" else path.split("?")[0].strip("/").split("/")[0]
            length = int(headers.get("Content-Length", "0") or 0)
            print(json.dumps({"case": case, "method": method, "target": target, "headers": headers,
                              "body_length": length, "client_port": writer.get_extra_info("peername")[1]}), flush=True)
            if case == "connect":
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                await writer.drain()
                continue
            if case == "early-413":
                writer.write(b"HTTP/1.1 413 Content Too Large\r\nContent-Type: application/json\r\nContent-Length: 23\r\n"
                             b'Connection: close\r\n\r\n{"error": "too large!"}')
                await writer.drain()
                # Reads no more of the body: the client's writes stall, and its answer is what it can read.
                await asyncio.sleep(600)
                return
            body = await reader.readexactly(length) if length else b""
            if case == "echo":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()
                continue
            if case in ("ok", "idle-close"):
                writer.write(OK)
                await writer.drain()
                if case == "idle-close":
                    await asyncio.sleep(0.001)
                    return
                continue
            if case == "dribble":
                writer.write(JSON + b"X-Slow: ")
                while True:
                    await writer.drain()
                    await asyncio.sleep(0.05)
                    writer.write(b"a")
            if case == "slow-body":
                writer.write(JSON + b"Transfer-Encoding: chunked\r\n\r\n")
                while True:
                    await writer.drain()
                    await asyncio.sleep(0.05)
                    writer.write(b"1\r\na\r\n")
            if case == "quiet":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                await writer.drain()
                await reader.read()  # until the client goes away
                return
            if case == "close-now":
                return
            writer.write(ANSWERS.get(case, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def main():
    context = None
    if sys.argv[1:2] == ["--tls"]:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
    server = await asyncio.start_server(serve, "127.0.0.1", 0, limit=1 << 20, ssl=context)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    # Exits when the test process closes our stdin, so no server outlives a crashed run.
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
