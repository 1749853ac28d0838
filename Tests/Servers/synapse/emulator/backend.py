"""The Synapse backend's v1 resources (API-FACTS A.6) on Django REST framework: documents kept in memory, listed
with DRF's page-number pagination, behind the emulator's token authentication."""
import hashlib
import json
import threading
import uuid
import time

from django.http import StreamingHttpResponse
from drf_chunked_upload.models import ChunkedUpload as DrfChunkedUpload
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .pagination import DRFPages

lock = threading.Lock()
STORE: dict[str, dict[int, dict]] = {}


def documents(name: str) -> dict[int, dict]:
    return STORE.setdefault(name, {})


def add(name: str, document: dict) -> dict:
    with lock:
        collection = documents(name)
        document = {"id": max(collection, default=0) + 1, **document}
        collection[document["id"]] = document
        return document


def find(name: str, pk) -> dict:
    document = documents(name).get(int(pk)) if str(pk).isdigit() else None
    if document is None:
        raise NotFound()
    return document


class Backend(APIView):
    permission_classes = [IsAuthenticated]


class Collection(Backend):
    """GET lists (filtered by any query parameter that names a field, or by a plural of a field's name given one
    or more values: `ground_truth_dataset_versions=1&ground_truth_dataset_versions=2`), POST creates; `fields` trims
    listed items."""

    name = ""
    fields: list[str] | None = None
    creates = True

    def get(self, request):
        reserved = {"page", "page_size", "url_host", "expand"}
        filters = {k: v for k, v in request.query_params.lists() if k not in reserved}
        items = list(documents(self.name).values())

        def matches(document, name, values):
            if name in document:
                return str(document[name]) == values[-1]
            if name.endswith("s") and name[:-1] in document:
                return str(document[name[:-1]]) in values
            return True

        if filters:
            items = [d for d in items if all(matches(d, k, v) for k, v in filters.items())]
        pages = DRFPages()
        page = pages.paginate_queryset(items, request, view=self)
        # Only the page is copied, so a walk over a large collection costs the server per page, not per item held.
        page = [{k: d.get(k) for k in self.fields} if self.fields else dict(d) for d in page]
        return pages.get_paginated_response(page)

    def post(self, request):
        if not self.creates:
            return Response({"detail": 'Method "POST" not allowed.'}, status=405)
        bodies = request.data if isinstance(request.data, list) else [request.data]
        created = [add(self.name, dict(body)) for body in bodies]
        return Response(created if isinstance(request.data, list) else created[0], status=201)


class Detail(Backend):
    name = ""

    def get(self, request, pk):
        return Response(find(self.name, pk))

    def put(self, request, pk):
        document = find(self.name, pk)
        document.update(request.data)
        return Response(document)

    def patch(self, request, pk):
        return self.put(request, pk)


def collection(name, fields=None, creates=True):
    return type(f"{name}_list", (Collection,), {"name": name, "fields": fields, "creates": creates}).as_view()


def detail(name):
    return type(f"{name}_detail", (Detail,), {"name": name}).as_view()


class CreateTasks(Collection):
    name = "tasks"

    def post(self, request):
        body = request.data
        if isinstance(body, list) and all(isinstance(t, dict) and set(t) == {"project", "data_unit"} for t in body):
            ids = [add("tasks", {"project": t["project"], "data_unit": {"id": t["data_unit"]}, "data": {}, "files": {},
                                 "status": "new", "tags": []})["id"] for t in body]
            return Response({"created": len(ids), "ids": ids}, status=201)
        if not isinstance(body, dict) or set(body) != {"project", "data"} or not isinstance(body["data"], list):
            raise ValidationError({"non_field_errors": ["expected {project, data: [...]} or [{project, data_unit}, ...]"]})
        ids = [add("tasks", {"project": body["project"], "data": data, "files": {}, "status": "new", "tags": []})["id"]
               for data in body["data"]]
        return Response({"created": len(ids), "ids": ids}, status=201)


class AnnotateTaskData(Backend):
    def put(self, request, pk):
        task = find("tasks", pk)
        schema = request.query_params.get("schema")
        if schema not in (None, "dm_schema_v1", "any"):
            raise ValidationError({"schema": [f'"{schema}" is not a valid choice.']})
        task["annotation"] = request.data
        return Response({"id": task["id"], "annotation": task["annotation"], "schema": schema})


class SetTags(Backend):
    name = ""

    def post(self, request):
        """Takes the published client's `{ids, tags}` or the seed documents' `{task_ids|assignment_ids, tag_ids}`."""
        data = request.data
        ids = data.get("ids", data.get(f"{self.name[:-1]}_ids"))
        tags, action = data.get("tags", data.get("tag_ids")), data.get("action", "add")
        if not isinstance(ids, list) or not isinstance(tags, list) or action not in ("add", "remove"):
            raise ValidationError({"non_field_errors": [
                f"expected {{ids|{self.name[:-1]}_ids: [...], tags|tag_ids: [...], action: add|remove}}"]})
        for pk in ids:
            item = find(self.name, pk)
            current = set(item.get("tags", []))
            item["tags"] = sorted(current | set(tags) if action == "add" else current - set(tags))
        return Response({"updated": len(ids)})


def set_tags(name):
    return type(f"{name}_tags", (SetTags,), {"name": name}).as_view()


class DataCollectionDetail(Detail):
    name = "data_collections"

    def get(self, request, pk):
        document = dict(find(self.name, pk))
        if "file_specifications" not in request.query_params.get("expand", ""):
            document.pop("file_specifications", None)
        return Response(document)


class DataFiles(Backend):
    """A file in one multipart request, or a finished chunked upload by id."""

    def post(self, request):
        if "file" in request.FILES:
            content = request.FILES["file"].read()
            name = request.FILES["file"].name
        elif "chunked_upload" in request.data:
            upload = DrfChunkedUpload.objects.filter(id=request.data["chunked_upload"], user=request.user).first()
            if upload is None or upload.completed_at is None:
                raise ValidationError({"chunked_upload": ["no completed upload with this id"]})
            upload.file.open("rb")
            content = upload.file.read()
            upload.file.close()
            name = upload.filename
        else:
            raise ValidationError({"file": ["No file was submitted."]})
        checksum = hashlib.md5(content).hexdigest()
        document = add("data_files", {"file": request.build_absolute_uri(f"/media/data_files/{name}"),
                                      "checksum": checksum, "size": len(content), "created_at": "2026-11-23T10:00:00Z"})
        return Response(document, status=201)


class VerifyChecksums(Backend):
    def post(self, request):
        known = {d["checksum"] for d in documents("data_files").values()}
        return Response({"checksums": {c: c in known for c in request.data.get("checksums", [])}})


class AgentConnect(Backend):
    def post(self, request, token):
        agent = next((a for a in documents("agents").values() if a.get("token") == token), None)
        if agent is None:
            raise NotFound("Agent not found.")
        return Response({"id": agent["id"], "status": "connected"})


class RunPlugin(Backend):
    def post(self, request, plugin):
        found = next((p for p in documents("plugins").values() if str(p["id"]) == plugin or p["code"] == plugin), None)
        if found is None:
            raise NotFound("Plugin not found.")
        unknown = set(request.data) - {"agent", "action", "params", "storage_id", "job_id", "debug", "version", "language",
                                       "parameters", "context"}  # the last two: the seed documents' names
        if unknown:
            raise ValidationError({field: ["Unknown field."] for field in unknown})
        job = add("jobs", {"uuid": str(uuid.uuid4()), "status": "PENDING", "plugin": {"id": found["id"], "code": found["code"]},
                           "action": request.data.get("action"),
                           "params": request.data.get("params", request.data.get("parameters")),
                           "meta": {"language": request.data.get("language")}, "console_logs": [], "first_poll": None})
        return Response(job, status=201)


class JobDetail(Detail):
    """A job started by a run advances as it is polled, timed from its first poll: PENDING, RUNNING from 0.3 s with
    progress, then SUCCEEDED from 0.8 s, or FAILED with `result.error` when its action is "fail"."""

    name = "jobs"

    def get(self, request, pk):
        if isinstance(pk, uuid.UUID):
            job = next((j for j in documents(self.name).values() if j.get("uuid") == str(pk)), None)
            if job is None:
                raise NotFound()
        else:
            job = find(self.name, pk)
        if "first_poll" in job and job["status"] in ("PENDING", "RUNNING"):
            job["first_poll"] = job["first_poll"] or time.monotonic()
            elapsed = time.monotonic() - job["first_poll"]
            if elapsed >= 0.8:
                failed = job["action"] == "fail"
                job.update(status="FAILED" if failed else "SUCCEEDED", progress_record={"percent": 100},
                           result={"error": "CUDA out of memory"} if failed else {"ok": True})
                job["console_logs"].append({"message": "finished", "level": "info", "created": "2026-11-23T10:00:01Z"})
            elif elapsed >= 0.3 and job["status"] == "PENDING":
                job.update(status="RUNNING", progress_record={"percent": 50})
                job["console_logs"].append({"message": "started", "level": "info", "created": "2026-11-23T10:00:00Z"})
        return Response({k: v for k, v in job.items() if k != "first_poll"})


class PluginReleaseLookup(Backend):
    """A release by id or by `code@version`; `expand=plugin` puts the plugin itself in place of its id."""

    def get(self, request, lookup):
        releases = documents("plugin_releases").values()
        if lookup.isdigit():
            release = documents("plugin_releases").get(int(lookup))
        else:
            code, _, version = lookup.partition("@")
            plugin = next((p for p in documents("plugins").values() if p["code"] == code), None)
            release = next((r for r in releases if plugin and r["plugin"] == plugin["id"] and r["version"] == version), None)
        if release is None:
            raise NotFound()
        if request.query_params.get("expand") == "plugin":
            release = {**release, "plugin": find("plugins", release["plugin"])}
        return Response(release)


class PluginReleases(Collection):
    name = "plugin_releases"

    def get(self, request):
        code = request.query_params.get("plugin")
        plugin = next((p for p in documents("plugins").values() if p["code"] == code), None)
        items = [r for r in documents(self.name).values() if code is None or (plugin and r["plugin"] == plugin["id"])]
        pages = DRFPages()
        return pages.get_paginated_response(pages.paginate_queryset(items, request, view=self))

    def post(self, request):
        """JSON, or multipart with the plugin's archive as `file` (recorded by name, size and MD5)."""
        fields = {k: v for k, v in request.data.items() if k != "file"}
        plugin = next((p for p in documents("plugins").values() if p["code"] == fields.get("plugin")), None)
        if plugin is None:
            raise ValidationError({"plugin": ["Unknown plugin code."]})
        if "file" in request.FILES:  # multipart: its fields arrive as text
            fields = {k: (v == "true" if k == "debug" else json.loads(v) if k in ("config", "requirements") else v)
                      for k, v in fields.items()}
            archive = request.FILES["file"].read()
            fields["file"] = {"name": request.FILES["file"].name, "size": len(archive),
                              "md5": hashlib.md5(archive).hexdigest()}
        release = add(self.name, {**fields, "plugin": plugin["id"]})
        return Response(release, status=201)


class ConsoleLogs(Backend):
    def get(self, request, pk):
        return Response({"results": find("jobs", pk).get("console_logs", [])})


class EventStream(BaseRenderer):
    media_type = "text/event-stream"
    format = "sse"


class TailConsoleLogs(Backend):
    """The console as Server-Sent Events, one log line each, 50 ms apart, ending with the job."""

    renderer_classes = [EventStream]

    def get(self, request, pk):
        lines = find("jobs", pk).get("console_logs", [])

        def events():
            for line in lines:
                time.sleep(0.05)
                yield f"data: {json.dumps(line)}\n\n".encode()

        return StreamingHttpResponse(events(), content_type="text/event-stream")


class StorageList(Collection):
    name = "storages"

    def post(self, request):
        # The seed's example creates a storage without a category, while every storage the backend answers has one:
        # the emulator takes a storage a user adds as external unless told otherwise.
        if isinstance(request.data, dict) and "category" not in request.data:
            return Response(add(self.name, {**request.data, "category": "external"}), status=201)
        return super().post(request)

    def get(self, request):
        response = super().get(request)
        for storage in response.data["results"]:
            storage.pop("configuration", None)
        return response


class StorageDetail(Detail):
    name = "storages"

    def get(self, request, pk):
        storage = dict(find(self.name, pk))
        if request.query_params.get("with_configuration") != "true":
            storage.pop("configuration", None)
        return Response(storage)


def seed_backend(task_count=230):
    """Fixture documents, relative file URLs as the backend stores them; `task_count` tasks in project 1."""
    add("projects", {"title": "Street scenes", "description": "Boxes around cars", "category": "image",
                     "configuration": {"classes": ["car"]}})
    tasks = documents("tasks")
    for n in range(1, task_count + 1):
        tasks[n] = {"id": n, "project": 1, "data": {"index": n}, "data_unit": {"id": n},
                    "files": {"image": f"https://files.example.com/tasks/{n}.png"}, "status": "new", "tags": []}
    add("task_tags", {"name": "blurry", "color": "#ff0000", "project": 1})
    add("task_tags", {"name": "night", "color": "#000088", "project": 1})
    add("data_collections", {"name": "Street images", "file_specifications": [
        {"name": "image", "file_type": "image", "is_required": True, "is_primary": True},
        {"name": "meta", "file_type": "json", "is_required": False, "is_primary": False}]})
    for n in range(1, 4):
        add("data_units", {"data_collection": 1, "files": {"image": {"url": f"https://files.example.com/units/{n}.png"}},
                           "meta": {"n": n}})
    for n in range(1, 121):
        add("assignments", {"project": 1, "task": n, "user": 1, "status": "assigned", "data": {"index": n},
                            "files": {"image": f"https://files.example.com/tasks/{n}.png"}, "tags": []})
    add("agents", {"name": "gpu-1", "url": "http://10.0.0.5:8000", "status": "connected", "token": "a" * 40,
                   "node_install_script": f"curl https://api.synapse.sh/agents/{'a' * 40}/node_install_script | sh"})
    add("plugins", {"code": "yolo", "name": "YOLO detector", "description": "Finds things", "category": "neural_net"})
    add("plugin_releases", {"plugin": 1, "version": "1.0.0", "config": {"actions": {"train": {}}},
                            "requirements": ["ultralytics"], "debug": False})
    add("jobs", {"uuid": "6f1c1e2a-8f7e-4b7e-9d4e-2b1f0a5c9e11", "status": "RUNNING", "plugin": {"id": 1, "code": "yolo"}, "action": "train", "params": {},
                 "console_logs": [{"message": f"epoch {n}", "level": "info", "created": "2026-11-23T10:00:00Z"}
                                  for n in range(1, 4)]})
    add("storages", {"name": "Default", "category": "internal", "provider": "amazon_s3",
                     "configuration": {"bucket": "synapse"}, "is_default": True})
    add("storages", {"name": "Lab NAS", "category": "external", "provider": "seaweedfs",
                     "configuration": {"host": "nas.lab"}, "is_default": False})
    add("models", {"name": "yolo-street", "project": 1, "plugin": {"id": 1, "code": "yolo"}, "version": "1.0.0", "checkpoint": 3,
                   "file": "https://files.example.com/models/yolo-street.pt", "configuration": {}, "description": None})
    for n in range(1, 151):
        add("ground_truth_events", {"ground_truth": (n - 1) // 30 + 1, "ground_truth_dataset_version": 1 + n % 2,
                                    "data": {"n": n}, "files": {"image": f"https://files.example.com/gt/{n}.png"}})
    for n in range(1, 6):
        add("ground_truths", {"data_unit": {"id": n}, "data": {"label": "car"},
                              "files": {"image": f"https://files.example.com/gt/{n}.png"}})
    add("ground_truth_dataset_versions", {"name": "v1", "ground_truth_dataset": 1, "created_at": "2026-01-01T00:00:00Z"})
    add("ground_truth_dataset_versions", {"name": "v2", "ground_truth_dataset": 1, "created_at": "2026-02-01T00:00:00Z"})
