#!/bin/sh
# Sends one command to the demo ACS started by `make run` and prints its
# answer, e.g.:  scripts/acs-admin.sh fault refuse on   (the ILS goes away)
#                scripts/acs-admin.sh restart           (drop every connection)
#                scripts/acs-admin.sh fault refuse off  (it comes back)
#                scripts/acs-admin.sh log               (what the ILS applied)
set -eu
ports=${ACS_PORTS:-build/run/acs.ports}
[ -r "$ports" ] || { echo "no demo ACS running ($ports missing): start make run first" >&2; exit 1; }
exec python3 - "$ports" "$@" <<'PY'
import socket, sys
admin = int(open(sys.argv[1]).read().split()[1])
with socket.create_connection(("127.0.0.1", admin), timeout=5) as s:
    s.sendall((" ".join(sys.argv[2:]) + "\n").encode())
    print(s.makefile().readline().rstrip())
PY
