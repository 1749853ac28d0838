"""Prints each request the emulator receives as one JSON line, for tests to assert on."""
import json


class RecordRequests:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        print(json.dumps({
            "method": request.method,
            "path": request.path,
            "query": request.META.get("QUERY_STRING", ""),
            "headers": {name: value for name, value in request.headers.items()},
            "status": response.status_code,
        }), flush=True)
        return response
