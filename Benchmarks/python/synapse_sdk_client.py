"""The published Python client (synapse_sdk's BackendClient) doing what the benchmark asks of the Swift client, timed
from after its imports. Prints one JSON line: wall seconds, the process's CPU seconds over the same span, and a count.

    synapse_sdk_client.py walk BASE_URL TOKEN PAGE_SIZE
    synapse_sdk_client.py get BASE_URL TOKEN REQUESTS
    synapse_sdk_client.py post BASE_URL TOKEN COUNT:FILE   (the file as a multipart POST, COUNT times)
    synapse_sdk_client.py upload BASE_URL TOKEN FILE       (chunks and finalize)
    synapse_sdk_client.py data-file BASE_URL TOKEN FILE    (chunks, finalize and the data file made of them)
"""
import json
import resource
import sys
import time

from synapse_sdk.clients.backend import BackendClient


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


command, base_url, token, argument = sys.argv[1:5]
client = BackendClient(base_url, access_token=token)
wall, processor = time.perf_counter(), cpu()
if command == "walk":
    # No url_conversion: it would download every task's files, which the Swift walk does not do either.
    items, _ = client._list("sdk/tasks/", params={"page_size": int(argument)}, list_all=True)
    count = sum(1 for _ in items)
elif command == "get":
    count = int(argument)
    for _ in range(count):
        client.get_project(1)
elif command == "post":
    count, path = argument.split(":", 1)
    count = int(count)
    for _ in range(count):
        client.create_data_file(path, use_chunked_upload=False)
elif command == "upload":
    count = len(client.create_chunked_upload(argument)["id"])
elif command == "data-file":
    count = client.create_data_file(argument, use_chunked_upload=True)["size"]
else:
    sys.exit(f"unknown command {command}")
print(json.dumps({"seconds": time.perf_counter() - wall, "cpu": cpu() - processor, "count": count}))
