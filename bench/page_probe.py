# SPDX-License-Identifier: GPL-2.0-or-later
"""
The browser half of `make bench`'s page figure (bench/page.c): headless
Chromium on circd's touch screen, through tests/e2e/cdp.py, answering the
bench one line per request on stdin/stdout.

usage: page_probe.py URL WORK_DIR

  (start)         -> "ready <us>": the page is up, the row observer is in, and
                     the page's clock is mapped onto CLOCK_MONOTONIC within
                     +-<us> (or "error <why>", then exit)
  screen <name>   -> "ok" once body[data-screen] is <name>
  row <barcode>   -> "row <dom_us> <frame_us>": when the item's row first
                     appeared in the list, and when the next animation frame
                     (the one that paints it) began, both on CLOCK_MONOTONIC
  clock           -> "clock <offset drift us> <us>": the mapping measured again
  quit or EOF     -> Chromium is closed, exit 0

Any failure is "error <why>" on one line; every wait is bounded.

Chromium's performance.now() runs on the kernel's CLOCK_MONOTONIC, the clock
the bench and time.monotonic() read too, but from its own origin (the page's
start). The offset between them is found as a network clock would: read
performance.now() in the page between two readings of ours, many times, and
keep the exchange with the shortest round trip; the page's reading lies
within half that round trip of its midpoint.
"""

import ctypes
import json
import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # make bench leaves nothing in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "e2e"))

from cdp import Browser, chromium_path  # noqa: E402
from harness import Failure  # noqa: E402

WAIT_S = 10.0
CALIBRATION_ROUNDS = 25
PR_SET_CHILD_SUBREAPER = 36
REAP_S = 5.0

# Bench instrumentation, added to the page from outside: the page's own code
# is what a patron runs. A row is keyed by its text (the item's barcode is in
# it); the first time a text shows in #item-list is that item's time. The list
# is drawn again on every push, so later copies of a row are not new.
OBSERVER_JS = r"""
(() => {
	const list = document.getElementById('item-list');
	const rows = new Map();
	let waiters = [];

	function settle() {
		waiters = waiters.filter((w) => {
			for (const [text, r] of rows)
				if (text.includes(w.code) && r.frame !== null) {
					clearTimeout(w.timer);
					w.resolve({ dom: r.dom, frame: r.frame });
					return false;
				}
			return true;
		});
	}
	new MutationObserver(() => {
		const now = performance.now();
		for (const li of list.children) {
			if (rows.has(li.textContent))
				continue;
			const r = { dom: now, frame: null };
			rows.set(li.textContent, r);
			requestAnimationFrame(() => {
				r.frame = performance.now();
				settle();
			});
		}
	}).observe(list, { childList: true });
	window.circdBenchRow = (code, ms) => new Promise((resolve, reject) => {
		const w = { code: code, resolve: resolve };
		w.timer = setTimeout(() => {
			waiters = waiters.filter((x) => x !== w);
			reject(new Error('no row with ' + code + ' within ' + ms + ' ms'));
		}, ms);
		waiters.push(w);
		settle();
	});
	return true;
})()
"""


class Run:
    """What cdp.Browser needs of a test: a directory, a timeout, cleanups."""

    def __init__(self, work_dir):
        self.work_dir = work_dir
        self.timeout = WAIT_S
        self.cleanups = []

    def path(self, name):
        return os.path.join(self.work_dir, "page-" + name)

    def at_cleanup(self, name, fn):
        self.cleanups.append(fn)

    def add_log(self, name, fn):
        pass

    def cleanup(self):
        for fn in reversed(self.cleanups):
            fn()


def calibrate(page):
    """(offset, uncertainty) in us: monotonic = page's performance.now() + offset."""
    best = None
    for _ in range(CALIBRATION_ROUNDS):
        before = time.monotonic()
        page_ms = page.eval("performance.now()")
        after = time.monotonic()
        trip = after - before
        if best is None or trip < best[0]:
            best = (trip, (before + after) / 2 * 1e6 - page_ms * 1e3)
    return best[1], best[0] / 2 * 1e6


def our_children():
    pids = []
    for name in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid():
            pids.append(int(name))
    return pids


def reap_orphans():
    """Chromium's helpers (zygote, renderers, crashpad) outlive its main
    process by a moment; as their subreaper we wait for them, so none is left
    running into the next figure or as a zombie of an init that never reaps."""
    deadline = time.monotonic() + REAP_S
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        if time.monotonic() > deadline:
            for pid in our_children():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            deadline = time.monotonic() + REAP_S
        time.sleep(0.02)


def answer(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def serve(page, offset):
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            return
        if words[0] == "screen" and len(words) == 2:
            page.wait("document.body.dataset.screen === %s" % json.dumps(words[1]),
                      "the %s screen" % words[1])
            answer("ok")
        elif words[0] == "row" and len(words) == 2:
            r = page.eval("circdBenchRow(%s, %d)" % (json.dumps(words[1]), WAIT_S * 1000 - 500))
            answer("row %.0f %.0f" % (r["dom"] * 1e3 + offset, r["frame"] * 1e3 + offset))
        elif words[0] == "clock":
            again, uncertainty = calibrate(page)
            answer("clock %.0f %.0f" % (again - offset, uncertainty))
        else:
            answer("error the probe does not know %r" % line.strip())


def main():
    if len(sys.argv) != 3:
        answer("error usage: page_probe.py URL WORK_DIR")
        return 2
    # The bench stops us with SIGTERM: close Chromium on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        chromium_path()
    except Failure:
        answer("error chromium is not installed (scripts/deps.sh installs it: "
               "apt-get install chromium)")
        return 0
    run = Run(sys.argv[2])
    try:
        page = Browser(run, die_with_parent=True).open(sys.argv[1])
        page.wait("document.body.dataset.screen === 'welcome'", "the welcome screen")
        page.eval(OBSERVER_JS)
        offset, uncertainty = calibrate(page)
        answer("ready %.0f" % uncertainty)
        serve(page, offset)
    except Failure as e:
        answer("error " + " ".join(str(e).split())[:200])
    finally:
        run.cleanup()
        reap_orphans()
    return 0


if __name__ == "__main__":
    sys.exit(main())
