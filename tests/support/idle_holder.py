# idle_holder.py PORT COUNT: hold COUNT idle connections to 127.0.0.1:PORT
# (not a byte sent), reopening each one the server closes, as a local user
# without the token would to starve the credential server. Prints
# "holding COUNT" once all are open and, on SIGTERM, "reopened N".
# Used by the server tests and `cargo xtask bench server`.
import resource
import selectors
import signal
import socket
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
sel, reopened = selectors.DefaultSelector(), 0


def stop(*_):
    print("reopened %d" % reopened, flush=True)
    sys.exit(0)


def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)


signal.signal(signal.SIGTERM, stop)
for _ in range(count):
    connect()
print("holding %d" % count, flush=True)
while True:
    for key, _ in sel.select():
        try:
            data = key.fileobj.recv(4096)
        except OSError:
            data = b""
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
            connect()
            reopened += 1
