"""Runs an ASGI app with uvicorn the way every test server here starts: on a free port of 127.0.0.1, printed on the
first line of output once connections are accepted, until stdin closes. An app with start-up work of its own (the
LlamaDeploy apiserver loads its deployments then) runs with lifespan="on"."""
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
