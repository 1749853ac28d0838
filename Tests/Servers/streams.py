"""Event-stream server for the runtime's live tests: FastAPI with sse-starlette, as the model-engine server is.

Usage: python streams.py  → prints its port, then one JSON line per stream request and per stream end:
  {"id", "path", "headers"}           a stream was asked for
  {"id", "ended": "complete" | "disconnected"}

Routes (ID is chosen by the test):
  GET  /sse/ID?count=N&hold=1&drop_after=K&ping=1   N SSE events (id, event, multi-line data); with hold, waits after
       the first event until POST /release/ID; with drop_after, the first connection breaks after K events, and a
       reconnect with Last-Event-ID resumes after that id; with ping, a comment line every 20 ms
  GET  /ndjson/ID?count=N&hold=1                   N JSON lines, application/x-ndjson, same hold
  GET  /endless/ID                                 an event every 20 ms until the client goes away
  POST /release/ID                                 lets a held stream continue
  GET  /missing/ID                                 404 with a JSON detail, as a stream endpoint would refuse
The process exits when its stdin closes.
"""
import asyncio
import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sse_starlette.sse import EventSourceResponse, ServerSentEvent

from loopback import serve

app = FastAPI()
releases: dict[str, asyncio.Event] = {}


def record(**fields):
    print(json.dumps(fields), flush=True)


def release_event(stream_id: str) -> asyncio.Event:
    return releases.setdefault(stream_id, asyncio.Event())


def record_request(request: Request, stream_id: str):
    record(id=stream_id, path=request.url.path, headers=dict(request.headers))


async def tracked(stream_id: str, events):
    """Yields from `events`, recording whether the stream ran to its end or the client went away."""
    try:
        async for event in events:
            yield event
        record(id=stream_id, ended="complete")
    except asyncio.CancelledError:
        record(id=stream_id, ended="disconnected")
        raise


class Drop(Exception):
    """Raised inside a response body so uvicorn closes the connection without ending the chunked body."""


@app.get("/sse/{stream_id}")
async def sse(request: Request, stream_id: str, count: int = 3, hold: int = 0, drop_after: int = 0, ping: int = 0):
    record_request(request, stream_id)
    last = request.headers.get("last-event-id")
    start = int(last) + 1 if last is not None else 0

    async def events():
        for index in range(start, count):
            if drop_after and last is None and index == drop_after:
                raise Drop()
            yield ServerSentEvent(
                data=json.dumps({"index": index, "text": f"line one\nline two of {index}"}, indent=1),
                event="progress", id=str(index), retry=50)
            if hold and index == 0:
                await release_event(stream_id).wait()

    return EventSourceResponse(tracked(stream_id, events()), ping=0.02 if ping else None)


@app.get("/ndjson/{stream_id}")
async def ndjson(request: Request, stream_id: str, count: int = 3, hold: int = 0):
    record_request(request, stream_id)

    async def lines():
        for index in range(count):
            yield json.dumps({"index": index, "text": f"line {index}"}) + "\n"
            if hold and index == 0:
                await release_event(stream_id).wait()

    return StreamingResponse(tracked(stream_id, lines()), media_type="application/x-ndjson")


@app.get("/endless/{stream_id}")
async def endless(request: Request, stream_id: str):
    record_request(request, stream_id)

    async def events():
        index = 0
        while True:
            yield ServerSentEvent(data=json.dumps({"index": index, "text": "tick"}), id=str(index))
            index += 1
            await asyncio.sleep(0.02)

    return EventSourceResponse(tracked(stream_id, events()))


@app.post("/release/{stream_id}")
async def release(stream_id: str):
    release_event(stream_id).set()
    return {"released": stream_id}


@app.get("/missing/{stream_id}")
async def missing(request: Request, stream_id: str):
    record_request(request, stream_id)
    return JSONResponse({"detail": f"no stream {stream_id}"}, status_code=404)


if __name__ == "__main__":
    serve(app)
