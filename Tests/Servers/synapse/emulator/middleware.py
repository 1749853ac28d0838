"""Prints each request the emulator receives as one JSON line, for tests to assert on, and drops the connection of
requests a test armed a fault for."""
import json
import os
import socket
import threading

from django.http import HttpResponse

# Armed faults: {"match": "PUT /chunked_upload/", "skip": N, "before": bool}. A request whose "METHOD path" starts
# with `match` has its connection closed once `skip` such requests went through: before Django handles it, or after
# (the server acted, the client never hears of it).
DROPS = []
lock = threading.Lock()
# One line at a time: requests are handled on several threads, and interleaved writes would garble the log.
print_lock = threading.Lock()


# Benchmarks measure clients, not the log: BINDERY_EMULATOR_QUIET=1 prints nothing per request.
QUIET = os.environ.get("BINDERY_EMULATOR_QUIET") == "1"


def log(record):
    if QUIET:
        return
    with print_lock:
        print(json.dumps(record), flush=True)


def armed_fault(request):
    key = f"{request.method} {request.path}"
    with lock:
        for fault in DROPS:
            if key.startswith(fault["match"]):
                if fault["skip"] > 0:
                    fault["skip"] -= 1
                    return None
                DROPS.remove(fault)
                return fault
    return None


def drop(request):
    connection = request.META["bindery.connection"]
    connection.shutdown(socket.SHUT_RDWR)


class RecordRequests:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fault = armed_fault(request)
        record = {
            "method": request.method,
            "path": request.path,
            "query": request.META.get("QUERY_STRING", ""),
            "headers": {name: value for name, value in request.headers.items()},
            "body": request.body.decode(errors="replace")[:4000] if request.content_type == "application/json" else None,
        }
        if fault and fault["before"]:
            log({**record, "status": None, "dropped": "before"})
            drop(request)
            return HttpResponse(status=503)  # never reaches the client: its connection is closed
        response = self.get_response(request)
        if not response.streaming and not response.has_header("Content-Length"):
            # As Django's CommonMiddleware does: without a length, the development server closes every connection.
            response["Content-Length"] = str(len(response.content))
        log({**record, "status": response.status_code, "dropped": "after" if fault else None})
        if fault:
            drop(request)
        return response
