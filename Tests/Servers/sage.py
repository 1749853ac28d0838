"""Sage Synapse emulator (FastAPI): the asynchronous-job service and agent chat under /repo/v1, with jobs that
advance over time.

Usage: python sage.py  → prints its port, then one JSON line per request: {"method", "path" (raw, still
percent-encoded), "authorization", "body"}.

Every request needs `Authorization: Bearer sage-token`. Jobs follow the protocol of the real service: POST
{uri}/start answers {"token"}; GET {uri}/get/{token} answers 202 with the AsynchronousJobStatus while the job runs,
200 with the status when it failed, and 200 with the response body once it completed. GET /asynchronous/job/{id}
answers the full status. A job's steps are timed from its first poll, so a slow client still sees every one.

What a job does depends on its request:
  agent chat, chatText "fail"    fails with an errorMessage and errorDetails
                        "stall"   stays PROCESSING with the same progress forever
                        "slow"    reports new progress at each of its first 12 polls, then answers
                        otherwise three progress steps over 0.6 s, then the answer
  table query on entity syn404   fails: no such table
The process exits when its stdin closes.
"""
import json
import time
import uuid
from datetime import datetime, timezone

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from loopback import serve

TOKEN = "Bearer sage-token"
MODEL = "org.sagebionetworks.repo.model."

app = FastAPI()
registrations: dict[str, dict] = {}
sessions: dict[str, dict] = {}
jobs: dict[str, dict] = {}
counter = iter(range(1000, 10**9))


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def reason(status: int, text: str) -> JSONResponse:
    return JSONResponse({"reason": text}, status_code=status)


@app.middleware("http")
async def record_and_authenticate(request: Request, call_next):
    raw = await request.body()
    print(json.dumps({
        "method": request.method, "path": request.scope["raw_path"].decode(),
        "authorization": request.headers.get("authorization"),
        "body": json.loads(raw) if raw else None,
    }), flush=True)
    if request.headers.get("authorization") != TOKEN:
        return reason(401, "Invalid access token")
    return await call_next(request)


# MARK: Agent registrations and sessions

@app.put("/repo/v1/agent/registration")
async def register(request: Request):
    body = await request.json()
    for registration in registrations.values():
        if registration["awsAgentId"] == body["awsAgentId"]:
            return registration
    registration = {
        "agentRegistrationId": str(next(counter)), "awsAgentId": body["awsAgentId"],
        "awsAliasId": body.get("awsAliasId") or "TSTALIASID", "registeredOn": now(), "type": "CUSTOM",
    }
    registrations[registration["agentRegistrationId"]] = registration
    return registration


@app.get("/repo/v1/agent/registration/{registration_id:path}")
async def registration(registration_id: str):
    if registration_id not in registrations:
        return reason(404, f"Agent registration {registration_id} does not exist")
    return registrations[registration_id]


@app.post("/repo/v1/agent/session")
async def start_session(request: Request):
    body = await request.json()
    registration_id = body.get("agentRegistrationId")
    if registration_id is not None and registration_id not in registrations:
        return reason(404, f"Agent registration {registration_id} does not exist")
    session = {
        "sessionId": uuid.uuid4().hex, "agentAccessLevel": body.get("agentAccessLevel", "PUBLICLY_ACCESSIBLE"),
        "startedOn": now(), "startedBy": 3350396, "modifiedOn": now(),
        "agentRegistrationId": registration_id, "etag": uuid.uuid4().hex,
    }
    sessions[session["sessionId"]] = session
    return session


@app.get("/repo/v1/agent/session/{session_id}")
async def get_session(session_id: str):
    if session_id not in sessions:
        return reason(404, f"Session {session_id} does not exist")
    return sessions[session_id]


@app.put("/repo/v1/agent/session/{session_id}")
async def update_session(session_id: str, request: Request):
    body = await request.json()
    if session_id not in sessions:
        return reason(404, f"Session {session_id} does not exist")
    if body.get("sessionId") != session_id:
        return reason(400, "The sessionId of the body does not match the path")
    sessions[session_id].update(agentAccessLevel=body["agentAccessLevel"], modifiedOn=now(), etag=uuid.uuid4().hex)
    return sessions[session_id]


# MARK: Jobs

def progress(message: str, current: int, total: int, after: float) -> dict:
    return {"after": after, "state": "PROCESSING", "progressMessage": message, "progressCurrent": current,
            "progressTotal": total}


def steps_then(response: dict, count: int = 3, spacing: float = 0.2) -> list:
    return [progress(f"step {i + 1} of {count}", i, count, i * spacing) for i in range(count)] + [
        {"after": count * spacing, "state": "COMPLETE", "response": response}]


def chat_script(body: dict) -> list:
    text = body["chatText"]
    answer = {"concreteType": MODEL + "agent.AgentChatResponse", "sessionId": body["sessionId"],
              "responseText": f"Hello! You said: {text}"}
    if text == "fail":
        return [progress("thinking", 0, 1, 0), {
            "after": 0.2, "state": "FAILED", "errorMessage": "The agent could not answer",
            "errorDetails": "ThrottlingException: Rate exceeded"}]
    if text == "stall":
        return [progress("waiting for the model", 0, 10, 0)]
    if text == "slow":
        steps = [{**progress(f"step {i + 1} of 12", i, 12, 0), "polls": i} for i in range(12)]
        return steps + [{"after": 0, "polls": 12, "state": "COMPLETE", "response": answer}]
    return steps_then(answer)


def query_script(entity_id: str, body: dict) -> list:
    if entity_id == "syn404":
        return [{"after": 0, "state": "FAILED", "errorMessage": f"Table {entity_id} does not exist",
                 "errorDetails": "org.sagebionetworks.repo.web.NotFoundException"}]
    headers = [{"name": "name", "columnType": "STRING", "id": "1"}, {"name": "age", "columnType": "INTEGER", "id": "2"}]
    rows = [{"rowId": 1, "versionNumber": 1, "values": ["Ada", "36"]},
            {"rowId": 2, "versionNumber": 1, "values": ["Grace", None]}]
    bundle = {
        "concreteType": MODEL + "table.QueryResultBundle",
        "queryResult": {"concreteType": MODEL + "table.QueryResult", "queryResults": {
            "concreteType": MODEL + "table.RowSet", "tableId": entity_id, "etag": "e1", "headers": headers, "rows": rows}},
        "queryCount": 2, "selectColumns": headers, "lastUpdatedOn": now(),
    }
    return steps_then(bundle, count=2)


def download_script(entity_id: str, body: dict) -> list:
    return steps_then({"concreteType": MODEL + "table.DownloadFromTableResult", "resultsFileHandleId": "fh-77",
                       "tableId": entity_id, "etag": "e1", "headers": [{"name": "name", "columnType": "STRING"}]}, count=1)


def transaction_script(entity_id: str, body: dict) -> list:
    results = []
    for change in body.get("changes", []):
        kind = change.get("concreteType", "")
        if kind.endswith("TableSchemaChangeRequest"):
            schema = [{"id": c["newColumnId"], "name": f"column{c['newColumnId']}", "columnType": "STRING"}
                      for c in change.get("changes", []) if c.get("newColumnId")]
            results.append({"concreteType": MODEL + "table.TableSchemaChangeResponse", "schema": schema})
        elif kind.endswith("AppendableRowSetRequest"):
            results.append({"concreteType": MODEL + "table.RowReferenceSetResults",
                            "rowReferenceSet": {"tableId": entity_id, "rows": [{"rowId": 3, "versionNumber": 1}]}})
        elif kind.endswith("UploadToTableRequest"):
            results.append({"concreteType": MODEL + "table.UploadToTableResult", "rowsProcessed": 3, "etag": "e2"})
        else:  # a kind of change this emulator does not know: answer with a kind the client does not know either
            results.append({"concreteType": MODEL + "table.FutureChangeResponse", "echo": change})
    return steps_then({"concreteType": MODEL + "table.TableUpdateTransactionResponse", "results": results}, count=2)


def preview_script(body: dict) -> list:
    return steps_then({
        "concreteType": MODEL + "table.UploadToTablePreviewResult",
        "suggestedColumns": [{"name": "name", "columnType": "STRING", "maximumSize": 50},
                             {"name": "age", "columnType": "INTEGER"}],
        "sampleRows": [{"values": ["Ada", "36"]}], "rowsScanned": 1}, count=1)


def start(uri: str, body: dict, script: list) -> dict:
    token = str(next(counter))
    jobs[token] = {"uri": uri, "request": body, "script": script, "first_poll": None, "started": now()}
    return {"token": token}


def status(token: str) -> dict | None:
    job = jobs.get(token)
    if job is None:
        return None
    if job["first_poll"] is None:
        job["first_poll"] = time.monotonic()
    job["polls"] = job.get("polls", 0) + 1
    elapsed = time.monotonic() - job["first_poll"]
    step = [step for step in job["script"] if step["after"] <= elapsed and step.get("polls", 0) < job["polls"]][-1]
    full = {"jobId": token, "jobState": step["state"], "jobCanceling": False, "requestBody": job["request"],
            "etag": "e-" + token, "startedByUserId": 3350396, "startedOn": job["started"], "changedOn": now()}
    full.update({key: value for key, value in step.items() if key not in ("after", "polls", "state", "response")})
    if "response" in step:
        full["responseBody"] = step["response"]
    return full


def answer(uri: str, token: str):
    full = status(token)
    if full is None or jobs[token]["uri"] != uri:
        return reason(404, f"Asynchronous job {token} does not exist")
    if full["jobState"] == "PROCESSING":
        return JSONResponse(full, status_code=202)
    if full["jobState"] == "FAILED":
        return full
    return full["responseBody"]


@app.post("/repo/v1/agent/chat/async/start")
async def chat_start(request: Request):
    body = await request.json()
    if body.get("sessionId") not in sessions:
        return reason(404, f"Session {body.get('sessionId')} does not exist")
    return start("agent/chat", body, chat_script(body))


@app.get("/repo/v1/agent/chat/async/get/{token}")
async def chat_get(token: str):
    return answer("agent/chat", token)


@app.post("/repo/v1/agent/chat/trace/{job_id}")
async def trace(job_id: str, request: Request):
    body = await request.json()
    job = jobs.get(job_id)
    if job is None or job["uri"] != "agent/chat":
        return reason(404, f"Asynchronous job {job_id} does not exist")
    page = []
    if job["request"].get("enableTrace"):
        page = [{"timestamp": 1700000000000, "message": f"Agent read the prompt '{job['request']['chatText']}'"},
                {"timestamp": 1700000000500, "message": "Agent wrote the answer"}]
    return {"jobId": job_id, "page": page}


def table_job(kind: str, script):
    """Registers the start and get routes of one kind of table job; an entity id may hold an encoded '/'."""
    async def table_start(entity_id: str, request: Request):
        body = await request.json()
        if body.get("entityId") != entity_id:
            return reason(400, "The entityId of the body does not match the path")
        return start(f"{entity_id}/{kind}", body, script(entity_id, body))

    async def table_get(entity_id: str, token: str):
        return answer(f"{entity_id}/{kind}", token)

    app.add_api_route(f"/repo/v1/entity/{{entity_id:path}}/{kind}/async/start", table_start, methods=["POST"])
    app.add_api_route(f"/repo/v1/entity/{{entity_id:path}}/{kind}/async/get/{{token}}", table_get, methods=["GET"])


table_job("table/query", query_script)
table_job("table/download/csv", download_script)
table_job("table/transaction", transaction_script)


@app.post("/repo/v1/table/upload/csv/preview/async/start")
async def preview_start(request: Request):
    body = await request.json()
    return start("table/upload/csv/preview", body, preview_script(body))


@app.get("/repo/v1/table/upload/csv/preview/async/get/{token}")
async def preview_get(token: str):
    return answer("table/upload/csv/preview", token)


# The service's other job kinds: each checks that its request names its own concreteType, then answers, after one
# progress step, a response of the matching type with the fields `answers` makes from the request, and the request
# itself as `request`.
OTHER_JOBS = {
    "grid/session": ("grid.CreateGrid", lambda b: {"gridSession": {
        "sessionId": "grid-" + str(next(counter)), "startedBy": 3350396, "startedOn": now(),
        "sourceEntityId": b.get("recordSetId"), "gridJsonSchema$Id": "org-schema-1"}}),
    "grid/session/query": ("grid.GridQueryJob", lambda b: {}),
    "grid/download/csv": ("grid.DownloadFromGrid", lambda b: {"resultsFileHandleId": "fh-" + b["sessionId"]}),
    "grid/export/recordset": ("grid.GridRecordSetExport", lambda b: {
        "sessionId": b.get("sessionId"), "recordSetId": "syn900", "recordSetVersionNumber": 2}),
    "grid/synchronize": ("grid.SynchronizeGrid", lambda b: {"errorMessages": ["row 3: no such column"]}),
    "grid/import/csv": ("grid.GridCsvImport", lambda b: {
        "sessionId": b["sessionId"], "totalCount": 3, "createdCount": 2, "updatedCount": 1}),
    "download/list/manifest": ("download.DownloadListManifest", lambda b: {"resultFileHandleId": "fh-manifest"}),
    "schema/type/validation": ("schema.GetValidationSchema", lambda b: {
        "validationSchema": {"$id": b["$id"], "type": "object"}}),
    "schema/type/create": ("schema.CreateSchema", lambda b: {
        "newVersionInfo": {"semanticVersion": "1.0.0"}, "validationSchema": b["schema"]}),
    "search/query": ("search.table.SearchIndex", lambda b: {}),
    "curation/task/{task_id}/execute": ("curation.ComputeTaskExecution", lambda b: {}),
}


def other_job(uri: str, kind: str, answers):
    request_type = MODEL + kind + ("Query" if kind.endswith("Index") else "Request")
    response_type = MODEL + kind + ("Result" if kind.endswith("Index") else "Response")

    async def other_start(request: Request, task_id: str | None = None):
        body = await request.json()
        if body.get("concreteType") != request_type:
            return reason(400, f"concreteType must be {request_type}")
        name = uri.replace("{task_id}", task_id or "")
        response = {"concreteType": response_type, **answers(body), "request": body, "taskId": task_id}
        return start(name, body, steps_then(response, count=1))

    async def other_get(token: str, task_id: str | None = None):
        return answer(uri.replace("{task_id}", task_id or ""), token)

    app.add_api_route(f"/repo/v1/{uri}/async/start", other_start, methods=["POST"])
    app.add_api_route(f"/repo/v1/{uri}/async/get/{{token}}", other_get, methods=["GET"])


for uri, (kind, answers) in OTHER_JOBS.items():
    other_job(uri, kind, answers)


@app.get("/repo/v1/asynchronous/job/{token}")
async def job_status(token: str):
    full = status(token)
    return full if full is not None else reason(404, f"Asynchronous job {token} does not exist")


if __name__ == "__main__":
    serve(app)
