"""A slice of the OpenAI API (FastAPI with sse-starlette): a list paged by cursor with `has_more`, messages whose
`content` is a string or a list of parts, and chat completions streamed as Server-Sent Events ending with
`data: [DONE]`.

Usage: python openai.py  → prints its port, then one JSON line per request received:
  {"method", "path", "query", "content_type", "headers", "body"}

Routes (all need `Authorization: Bearer sk-test`):
  GET  /v1/files?limit=N&after=ID          FILES files, oldest first: {object, data, first_id, last_id, has_more}
  GET  /v1/threads/{thread}/messages       two messages: one with string content, one with a list of parts
  POST /v1/chat/completions                with "stream": true, chunks of "Hello there!" then data: [DONE];
                                           otherwise one completion
  POST /v1/batches                         the first attempt with an Idempotency-Key answers 503 with retry-after-ms;
                                           a repeat of the key answers the batch it made, once
  POST /v1/oauth/token                      a new access token for a form of grant_type=client_credentials, client_id,
                                           client_secret=s3cret; only the newest one is accepted by /v1/me
  GET  /v1/me                              the caller, for `Authorization: Bearer <newest token>`; 401 otherwise
Every answer carries x-ratelimit-* headers.
The process exits when its stdin closes.
"""
import json

from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse

from loopback import recorded, serve

FILES = 5
app = FastAPI()
batches: dict[str, dict] = {}
tokens = ["tok-0"]


@app.middleware("http")
async def authenticate(request: Request, call_next):
    oauth = request.url.path in ("/v1/oauth/token", "/v1/me")
    if not oauth and request.headers.get("authorization") != "Bearer sk-test":
        return JSONResponse({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                       "code": "invalid_api_key"}}, status_code=401)
    response = await call_next(request)
    response.headers["x-ratelimit-limit-requests"] = "500"
    response.headers["x-ratelimit-remaining-requests"] = "499"
    return response


@app.get("/v1/files")
async def files(limit: int = 20, after: str | None = None):
    ids = [f"file-{n}" for n in range(1, FILES + 1)]
    start = ids.index(after) + 1 if after in ids else 0
    chunk = ids[start:start + limit]
    data = [{"id": i, "object": "file", "bytes": 100 * int(i.split("-")[1]), "filename": f"{i}.jsonl",
             "purpose": "fine-tune"} for i in chunk]
    return {"object": "list", "data": data, "first_id": chunk[0] if chunk else None,
            "last_id": chunk[-1] if chunk else None, "has_more": start + limit < len(ids)}


@app.get("/v1/threads/{thread}/messages")
async def messages(thread: str):
    return {"object": "list", "has_more": False, "data": [
        {"id": "msg-1", "role": "user", "content": "What is in this image?"},
        {"id": "msg-2", "role": "assistant", "content": [
            {"type": "text", "text": "A cat."}, {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]},
    ]}


@app.post("/v1/chat/completions")
async def completions(request: Request):
    body = await request.json()
    words = ["Hello", " there", "!"]
    if not body.get("stream"):
        return {"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(words)},
                             "finish_reason": "stop"}]}

    async def chunks():
        for index, word in enumerate(words):
            yield {"data": json.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": body["model"],
                                       "choices": [{"index": 0, "delta": {"content": word},
                                                    "finish_reason": "stop" if index == len(words) - 1 else None}]})}
        yield {"data": "[DONE]"}
        # What a careless client would read next: it must stop at [DONE].
        yield {"data": "not json, after the end"}

    return EventSourceResponse(chunks())


@app.post("/v1/oauth/token")
async def issue_token(grant_type: str = Form(), client_id: str = Form(), client_secret: str = Form()):
    # An OAuth token endpoint: a form-encoded body (RFC 6749, section 4.4).
    if grant_type != "client_credentials" or client_secret != "s3cret":
        return JSONResponse({"error": {"message": "invalid_client"}}, status_code=401)
    tokens.append(f"tok-{len(tokens)}")
    return {"access_token": tokens[-1], "token_type": "bearer"}


@app.get("/v1/me")
async def me(request: Request):
    if request.headers.get("authorization") != f"Bearer {tokens[-1]}":
        return JSONResponse({"error": {"message": "The access token expired"}}, status_code=401)
    return {"id": "user-1", "token": tokens[-1]}


@app.post("/v1/batches")
async def create_batch(request: Request):
    key = request.headers.get("idempotency-key")
    body = await request.json()
    if key is None:
        return JSONResponse({"error": {"message": "Idempotency-Key is required"}}, status_code=400)
    if key not in batches:
        batches[key] = {"id": f"batch-{len(batches) + 1}", "object": "batch", "endpoint": body["endpoint"], "attempts": 0}
    batches[key]["attempts"] += 1
    if batches[key]["attempts"] == 1:
        return JSONResponse({"error": {"message": "The server is overloaded"}}, status_code=503,
                            headers={"retry-after-ms": "10"})
    return batches[key]


if __name__ == "__main__":
    serve(recorded(app))
