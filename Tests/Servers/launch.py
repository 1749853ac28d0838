"""Launch model-engine emulator: FastAPI with sse-starlette, as the real server (llm-engine) is.

Usage: python launch.py  → prints its port, then one JSON line per request:
  {"method", "path", "query", "authorization", "headers" (the x-* ones), "body"}

Auth is HTTP Basic with the API key `launch-key` as user name (the password is not checked, as on the real server),
or `Authorization: Bearer launch-key`; anything else is 401 with `WWW-Authenticate: Basic`.

Model endpoints (GET /v1/model-endpoints?name=):
  echo-sync (sync)         answers {"status": "SUCCESS", "result": {"echo": args or url}, "status_code": 200}
  broken-sync (sync)       an upstream failure: 200 with status FAILURE, the error text and a traceback
  slow-sync (sync)         408, as when the endpoint takes longer than the server waits
  echo-async (async)       tasks PENDING, then STARTED from 0.3 s after their first poll, then SUCCESS from 0.8 s with
                           {"result": {"echo": args}}; with args {"stall": true} they stay PENDING
  broken-async (async)     tasks fail with the error text and a traceback
  echo-stream (streaming)  one SSE event per item of args["items"], 50 ms apart; with args["hold"] = KEY it waits after
                           the first until POST /test/release/KEY (or 10 s, then says so in the remaining events)
  broken-stream (streaming) a single FAILURE event
  odd-endpoint (batch)     an endpoint_type the client does not know
The process exits when its stdin closes.
"""
import asyncio
import base64
import json
import time
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse

from loopback import serve

API_KEY = "launch-key"
ENDPOINTS = {
    name: {"id": f"end_{index:03d}", "name": name, "endpoint_type": kind, "bundle_name": f"{name}-bundle",
           "status": "READY", "created_at": "2026-01-02T03:04:05.123456", "metadata": {}}
    for index, (name, kind) in enumerate([
        ("echo-sync", "sync"), ("broken-sync", "sync"), ("slow-sync", "sync"), ("echo-async", "async"),
        ("broken-async", "async"), ("echo-stream", "streaming"), ("broken-stream", "streaming"),
        ("odd-endpoint", "batch")])
}
BY_ID = {endpoint["id"]: endpoint for endpoint in ENDPOINTS.values()}
TRACEBACK = 'Traceback (most recent call last):\n  File "predict.py", line 3, in predict\nValueError: boom'

app = FastAPI()
tasks: dict[str, dict] = {}
releases: dict[str, asyncio.Event] = {}


def user_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.startswith("Basic "):
        return base64.b64decode(header[6:]).decode().split(":", 1)[0]
    if header.startswith("Bearer "):
        return header[7:]
    return None


@app.middleware("http")
async def record_and_authenticate(request: Request, call_next):
    raw = await request.body()
    print(json.dumps({
        "method": request.method, "path": request.url.path, "query": dict(request.query_params),
        "authorization": request.headers.get("authorization"),
        "headers": {name: value for name, value in request.headers.items() if name.startswith("x-")},
        "body": json.loads(raw) if raw else None,
    }), flush=True)
    if request.url.path.startswith("/v1/") and user_of(request) != API_KEY:
        return JSONResponse({"detail": "Could not authenticate"}, status_code=401,
                            headers={"WWW-Authenticate": "Basic"})
    return await call_next(request)


async def prediction(request: Request, kind: str):
    """The endpoint and body of a prediction request, or the refusal the server would answer instead."""
    endpoint = BY_ID.get(request.query_params.get("model_endpoint_id", ""))
    if endpoint is None:
        return None, None, JSONResponse({"detail": "The specified endpoint could not be found."}, status_code=404)
    if endpoint["endpoint_type"] != kind:
        return None, None, JSONResponse({"detail": f"Endpoint {endpoint['name']} is not a {kind} endpoint"}, status_code=400)
    body = await request.json()
    if body.get("url") is None and body.get("args") is None:
        return None, None, JSONResponse(
            {"detail": [{"loc": ["body"], "msg": "url or args is required", "type": "value_error"}]}, status_code=422)
    return endpoint, body, None


@app.get("/v1/model-endpoints")
async def list_endpoints(name: str | None = None):
    return {"model_endpoints": [e for e in ENDPOINTS.values() if name is None or e["name"] == name]}


@app.get("/v1/model-endpoints/{endpoint_id}")
async def get_endpoint(endpoint_id: str):
    if endpoint_id not in BY_ID:
        return JSONResponse({"detail": "The specified endpoint could not be found."}, status_code=404)
    return BY_ID[endpoint_id]


@app.post("/v1/sync-tasks")
async def sync_task(request: Request):
    endpoint, body, refusal = await prediction(request, "sync")
    if refusal:
        return refusal
    if endpoint["name"] == "slow-sync":
        return JSONResponse({"detail": "Request timed out."}, status_code=408)
    if endpoint["name"] == "broken-sync":
        return {"status": "FAILURE", "result": "ValueError: boom", "traceback": TRACEBACK, "status_code": 500}
    return {"status": "SUCCESS", "result": {"echo": body.get("args", body.get("url"))}, "status_code": 200}


@app.post("/v1/async-tasks")
async def create_async_task(request: Request):
    endpoint, body, refusal = await prediction(request, "async")
    if refusal:
        return refusal
    task_id = uuid.uuid4().hex
    tasks[task_id] = {"endpoint": endpoint["name"], "body": body, "first_poll": None}
    return {"task_id": task_id}


@app.get("/v1/async-tasks/{task_id}")
async def get_async_task(task_id: str):
    task = tasks.get(task_id)
    if task is None:
        return JSONResponse({"detail": f"Task {task_id} was not found."}, status_code=404)
    if task["first_poll"] is None:
        task["first_poll"] = time.monotonic()
    elapsed = time.monotonic() - task["first_poll"]
    args = task["body"].get("args") or {}
    if elapsed < 0.3 or (isinstance(args, dict) and args.get("stall")):
        return {"task_id": task_id, "status": "PENDING"}
    if elapsed < 0.8:
        return {"task_id": task_id, "status": "STARTED"}
    if task["endpoint"] == "broken-async":
        return {"task_id": task_id, "status": "FAILURE", "result": "ValueError: boom", "traceback": TRACEBACK,
                "status_code": 500}
    result = {"result": {"echo": task["body"].get("args", task["body"].get("url"))}}
    if task["body"].get("return_pickled"):
        result = {"result_url": f"https://storage.example.com/results/{task_id}.pkl"}
    return {"task_id": task_id, "status": "SUCCESS", "result": result, "status_code": 200}


@app.post("/v1/streaming-tasks")
async def streaming_task(request: Request):
    endpoint, body, refusal = await prediction(request, "streaming")
    if refusal:
        return refusal
    args = body.get("args") or {}

    async def events():
        if endpoint["name"] == "broken-stream":
            yield {"data": json.dumps({"status": "FAILURE", "result": None, "traceback": TRACEBACK, "status_code": 500})}
            return
        released = True
        for index, item in enumerate(args.get("items", [])):
            if index == 1 and args.get("hold"):
                try:
                    await asyncio.wait_for(releases.setdefault(args["hold"], asyncio.Event()).wait(), 10)
                except asyncio.TimeoutError:
                    released = False
            elif index > 0:
                await asyncio.sleep(0.05)
            result = {"result": {"item": item, "released": released}}
            yield {"data": json.dumps({"status": "SUCCESS", "result": result, "traceback": None, "status_code": 200})}

    return EventSourceResponse(events())


@app.post("/test/release/{key}")
async def release(key: str):
    releases.setdefault(key, asyncio.Event()).set()
    return {"released": key}


if __name__ == "__main__":
    serve(app)
