# SPDX-License-Identifier: GPL-2.0-or-later
"""
Headless Chromium driven through its DevTools protocol, over the pipe Chromium
offers with --remote-debugging-pipe (it reads commands on fd 3 and writes on
fd 4, each message one JSON text ended by a NUL byte), so no websocket is
needed: the Python standard library is enough.

Browser(t) starts Debian's chromium (installed by scripts/deps.sh; a missing
browser is a failure, never a skip) with a fresh profile in the test's
directory; open(url) gives a Page on a new tab. Every wait is bounded.
"""

import base64
import ctypes
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import time

from harness import Failure

PR_SET_PDEATHSIG = 1

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
    "--remote-debugging-pipe",
]


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    raise Failure("chromium is not installed: scripts/deps.sh installs it (apt-get install "
                  "chromium); the browser tests do not skip")


class Browser:
    def __init__(self, t, die_with_parent=False):
        """die_with_parent: Chromium is killed when the process that started it dies,
        even by SIGKILL (make bench's probe, whose temp dir goes right after)."""
        self.t = t
        self.next_id = 0
        self.buf = b""
        self.events = []
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def wire_fds():
            # Moved out of the way first, in case the pipes are already fd 3 or 4.
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
            if die_with_parent:
                ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

        self.log_path = t.path("chromium.log")
        log = open(self.log_path, "wb")
        argv = [chromium_path()] + CHROMIUM_FLAGS + [
            "--user-data-dir=" + t.path("chromium-profile"), "about:blank"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     close_fds=False, preexec_fn=wire_fds)
        log.close()
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        t.at_cleanup("chromium", self.close)
        t.add_log("chromium", self._log_tail)

    def _log_tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-4000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self.to_chrome, self.from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self.to_chrome = self.from_chrome = -1

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("chromium did not answer within the timeout")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_chrome, 65536)
            if not chunk:
                raise Failure("chromium closed its DevTools pipe; its log:\n%s"
                              % self._log_tail())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=None):
        self.next_id += 1
        cmd = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            cmd["sessionId"] = session
        data = json.dumps(cmd).encode() + b"\0"
        while data:
            data = data[os.write(self.to_chrome, data):]
        deadline = time.monotonic() + (timeout or self.t.timeout)
        while True:
            msg = self._read_message(deadline)
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise Failure("DevTools %s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def open(self, url, width=1280, height=800):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.send("Page.enable")
        page.send("Runtime.enable")
        page.resize(width, height)
        page.send("Page.navigate", {"url": url})
        return page


class Page:
    def __init__(self, browser, session):
        self.b = browser
        self.session = session

    def send(self, method, params=None):
        return self.b.send(method, params, session=self.session)

    def eval(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise Failure("page: %s raised %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait(self, expr, what, timeout=None):
        """Polls expr in the page until it is truthy (returned); bounded."""
        deadline = time.monotonic() + (timeout or self.b.t.timeout)
        last = None
        while True:
            try:
                last = self.eval(expr)
            except Failure as e:
                last = e  # the page may be between two documents
            if last and not isinstance(last, Failure):
                return last
            if time.monotonic() > deadline:
                raise Failure("page: timed out waiting for %s (%s gave %r); page text:\n%s"
                              % (what, expr, last, self.text()))
            time.sleep(0.02)

    def text(self):
        try:
            return self.eval("document.body ? document.body.innerText : ''")
        except Failure as e:
            return str(e)

    def tap(self, selector):
        """A real click, by mouse events at the middle of the element, as a finger would."""
        rect = self.wait("(() => { const e = document.querySelector(%s);"
                         " if (!e || e.offsetParent === null) return null;"
                         " const r = e.getBoundingClientRect();"
                         " return {x: r.x + r.width / 2, y: r.y + r.height / 2,"
                         " w: r.width, h: r.height}; })()" % json.dumps(selector),
                         "%s to be shown" % selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, "x": rect["x"], "y": rect["y"], "button": "left",
                       "clickCount": 0 if kind == "mouseMoved" else 1})
        return rect

    def resize(self, width, height):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def screenshot(self, path, width, height):
        self.resize(width, height)
        # Two frames: the new size laid out and painted.
        self.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
