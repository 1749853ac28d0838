"""The real LlamaDeploy apiserver (llama-deploy 0.9.2 from PyPI), unmodified, started on 127.0.0.1 with the
deployments of Tests/LlamaDeploy (echo and hitl) loaded from its rc folder.

Usage: python llamadeploy.py  → prints its port, then one JSON line per request the apiserver received:
  {"method", "path", "query", "content_type", "body"}   (body as text, cut at 2,000 characters)
The process exits when its stdin closes; its deployments folder is a fresh temporary directory.
"""
import json
import os
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.update({
    "LLAMA_DEPLOY_APISERVER_PROMETHEUS_ENABLED": "false",
    "LLAMA_DEPLOY_APISERVER_RC_PATH": os.path.join(HERE, "..", "LlamaDeploy"),
    "LLAMA_DEPLOY_APISERVER_DEPLOYMENTS_PATH": tempfile.mkdtemp(prefix="bindery-llamadeploy-"),
})
warnings.filterwarnings("ignore", category=DeprecationWarning)

from llama_deploy.apiserver.app import app  # noqa: E402  (reads its settings from the environment above)

from loopback import serve  # noqa: E402


def recorded(inner):
    """An ASGI wrapper that prints each HTTP request once its body has arrived (or its answer starts, for requests
    whose body the app never reads), then hands everything on unchanged."""
    async def wrapper(scope, receive, send):
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        body = bytearray()
        printed = False

        def record():
            nonlocal printed
            if printed:
                return
            printed = True
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            print(json.dumps({
                "method": scope["method"], "path": scope["path"], "query": scope["query_string"].decode(),
                "content_type": headers.get("content-type"), "body": body.decode(errors="replace")[:2000],
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


if __name__ == "__main__":
    serve(recorded(app), lifespan="on")
