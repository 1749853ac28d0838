"""Starts the emulator on 127.0.0.1: a fresh sqlite database, migrations, seed data, then a threaded WSGI server.

Prints its port, then one JSON line per request received (see emulator/middleware.py). Exits when stdin closes.
"""
import os
import sys
import tempfile
import threading

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
os.environ.setdefault("BINDERY_DB", os.path.join(tempfile.mkdtemp(prefix="bindery-emulator-"), "db.sqlite3"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from emulator.seed import seed  # noqa: E402

call_command("migrate", verbosity=0)
seed()


class QuietHandler(WSGIRequestHandler):
    # The server writes a response's head and body separately: with Nagle's algorithm on a kept-alive connection, the
    # body would wait out the client's delayed ACK (40 ms) on every request.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def get_environ(self):
        # The middleware closes this connection to emulate a response lost on the way back.
        environ = super().get_environ()
        environ["bindery.connection"] = self.connection
        return environ


# socketserver listens with a backlog of 5: the suite's tests connect at once, and past the backlog a connection the
# client counts as open is not yet the server's.
ThreadedWSGIServer.request_queue_size = 128
server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
server.set_app(get_wsgi_application())
print(server.server_address[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
server.serve_forever()
