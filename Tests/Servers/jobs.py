"""Asynchronous-job server for the runtime's live tests (FastAPI), with jobs that advance over time.

Usage: python jobs.py  → prints its port, then one JSON line per request: {"method", "path", "authorization", "t"}.

  POST /jobs/start   body {"script": [{"after": seconds, "status": {...}}, ...]} → {"token": "<id>"}
  GET  /jobs/get/ID  the status of the script's last step whose `after` has passed since the first poll (so a slow
                     client still sees every step's time)
Both need `Authorization: Bearer secret-token`, as Sage Synapse's personal access tokens are sent. The process exits
when its stdin closes.
"""
import json
import time
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from loopback import serve

app = FastAPI()
jobs: dict[str, list] = {}
first_polls: dict[str, float] = {}


@app.middleware("http")
async def record_and_authenticate(request: Request, call_next):
    print(json.dumps({
        "method": request.method, "path": request.url.path,
        "authorization": request.headers.get("authorization"), "t": time.monotonic(),
    }), flush=True)
    if request.headers.get("authorization") != "Bearer secret-token":
        return JSONResponse({"reason": "Invalid access token"}, status_code=401)
    return await call_next(request)


@app.post("/jobs/start")
async def start(request: Request):
    script = (await request.json())["script"]
    token = uuid.uuid4().hex[:12]
    jobs[token] = script
    return {"token": token}


@app.get("/jobs/get/{token}")
async def status(token: str):
    if token not in jobs:
        return JSONResponse({"reason": f"no job {token}"}, status_code=404)
    script = jobs[token]
    elapsed = time.monotonic() - first_polls.setdefault(token, time.monotonic())
    current = script[0]["status"]
    for step in script:
        if step["after"] <= elapsed:
            current = step["status"]
    return current


if __name__ == "__main__":
    serve(app)
