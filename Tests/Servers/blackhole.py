"""A port that accepts no connections: a listener whose accept queue is kept full, so the kernel drops every further
connection attempt and a client's connect hangs, as with a host that swallows packets.

Usage: python blackhole.py  → prints its port; exits when its stdin closes. Standard library only.
"""
import socket
import sys
import time

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(0)
port = listener.getsockname()[1]
fillers = []
for _ in range(8):  # more than the queue holds; the extra ones stay pending
    filler = socket.socket()
    filler.setblocking(False)
    filler.connect_ex(("127.0.0.1", port))
    fillers.append(filler)
# The fillers' handshakes settle before a client comes: one waits in the queue, the rest are dropped.
time.sleep(0.5)
print(port, flush=True)
sys.stdin.buffer.read()
