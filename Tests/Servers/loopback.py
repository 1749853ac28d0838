"""Runs an ASGI app with uvicorn the way every test server here starts: on a free port of 127.0.0.1, printed on the
first line of output once connections are accepted, until stdin closes. An app with start-up work of its own (the
LlamaDeploy apiserver loads its deployments then) runs with lifespan="on". `recorded` wraps an app so
that it prints each request it receives."""
import json
import os
import socket
import sys
import threading

import uvicorn


def serve(app, lifespan="off"):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # before the port is printed, so a client never finds it closed
    print(listener.getsockname()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan)).run(sockets=[listener])


def recorded(inner, enabled=lambda: True):
    """An ASGI wrapper that prints each HTTP request once its body has arrived (or its answer starts, for requests
    whose body the app never reads), while `enabled()` is true, then hands everything on unchanged."""
    async def wrapper(scope, receive, send):
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        body = bytearray()
        printed = False

        def record():
            nonlocal printed
            if printed or not enabled():
                return
            printed = True
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            print(json.dumps({
                "method": scope["method"], "path": scope["path"], "query": scope["query_string"].decode(),
                "content_type": headers.get("content-type"), "headers": headers,
                "body": body.decode(errors="replace")[:2000],
            }), flush=True)

        async def receiving():
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    record()
            return message

        async def sending(message):
            if message["type"] == "http.response.start":
                record()
            await send(message)

        return await inner(scope, receiving, sending)
    return wrapper
