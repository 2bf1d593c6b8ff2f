"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
JSON messages ending in NUL on file descriptors 3 and 4), no extra package needed.

``Browser`` opens one page; ``goto`` loads a URL and waits for ``body[data-mm-ready]``;
``js`` evaluates an expression and returns its value; ``screenshot`` writes a PNG. The
network is off except for ``allow_hosts``: every host name resolves to nothing and every
request is recorded in ``requests`` (URLs), so a test can assert that a page asked for nothing
outside itself. Tests skip where Debian's chromium (``/usr/bin/chromium``) is absent.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Why browser tests skip (``None``: they run).
SKIP_REASON = None if CHROMIUM else "headless Chromium not installed (apt-get install chromium)"


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page (use as a context manager)."""

    def __init__(self, *, width: int = 1400, height: int = 1000,
                 allow_hosts: tuple[str, ...] = (), timeout_s: float = 30.0) -> None:
        if CHROMIUM is None:
            raise BrowserError(SKIP_REASON)
        self.timeout_s = timeout_s
        self.requests: list[str] = []
        self.console: list[str] = []
        self._profile = tempfile.mkdtemp(prefix="mm-chromium-")
        rules = "MAP * ~NOTFOUND" + "".join(f", EXCLUDE {h}" for h in allow_hosts)
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # the child sees the pipe ends as fds 3 (commands in) and 4 (replies out)
        self._proc = self._spawn(rules, allow_hosts, width, height, to_chrome_r, from_chrome_w)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget",
                                  {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call("Network.enable", session=True)

    def _spawn(self, rules, allow_hosts, width, height, r, w) -> subprocess.Popen:
        def child() -> None:  # move both ends above 4 first: either may be 3 or 4
            import fcntl

            r2, w2 = fcntl.fcntl(r, fcntl.F_DUPFD, 10), fcntl.fcntl(w, fcntl.F_DUPFD, 10)
            os.dup2(r2, 3)
            os.dup2(w2, 4)

        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--mute-audio",
                f"--host-resolver-rules={rules}", f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}", "--remote-debugging-pipe", "about:blank"]
        if not allow_hosts:
            args.insert(-2, "--proxy-server=127.0.0.1:9")  # nothing answers there
        return subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=child,  # noqa: PLW1509
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    # --- protocol ---------------------------------------------------------------------
    def call(self, method: str, params: dict[str, Any] | None = None, *,
             session: bool = False) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout_s
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._event(reply)

    def _read(self, deadline: float) -> dict[str, Any]:
        import select

        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise BrowserError("no reply from chromium in time")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def _event(self, msg: dict[str, Any]) -> None:
        method = msg.get("method")
        params = msg.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", a.get("description", "")))
                                         for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            self.console.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:500])

    # --- page -------------------------------------------------------------------------
    def goto(self, url: str, *, ready: str = "document.body && document.body.dataset.mmReady") -> None:
        """Load ``url`` and wait until ``ready`` (a JS expression) is true."""
        self.call("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + self.timeout_s
        while not self.js(f"!!({ready})"):
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} not ready in {self.timeout_s} s; console: {self.console}")
            time.sleep(0.05)

    def js(self, expression: str) -> Any:
        """The value of ``expression`` (JSON-serialisable; promises awaited)."""
        out = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                             "awaitPromise": True}, session=True)
        if "exceptionDetails" in out:
            raise BrowserError(f"{expression[:80]}: {out['exceptionDetails']}")
        return out["result"].get("value")

    def screenshot(self, path: str | Path) -> Path:
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_storm_slider(path: Path, *, at_h: int, later_h: float, end_h: float,
                       screenshot: Path) -> None:
    """Open the episode page ``path`` offline and drive its time slider: no storm cell at
    h 0; one at ``at_h`` (the slider dragged as a user does; the time label says so, and the
    page is saved as ``screenshot``), moved at ``later_h``, gone at ``end_h``; no console
    message, nothing asked for outside the page."""
    count = "document.querySelectorAll('path.mm-storm').length"
    shape = "document.querySelector('path.mm-storm').getAttribute('d')"
    with Browser() as b:  # every host name unresolvable: the network is off
        b.goto(path.as_uri())
        assert b.js("document.getElementById('mm-slider') !== null")
        assert b.js(count) == 0  # h 0: the storm has not formed
        b.js("(() => { const s = document.getElementById('mm-slider'); "
             f"s.value = {at_h}; s.dispatchEvent(new Event('input')); }})()")
        assert b.js(count) == 1
        assert b.js("document.getElementById('mm-time').textContent").strip().endswith(
            f"(h {at_h})")
        at = b.js(shape)
        b.screenshot(screenshot)
        b.js(f"mmSetTime({later_h})")
        assert b.js(count) == 1 and b.js(shape) != at  # it moved
        b.js(f"mmSetTime({end_h})")
        assert b.js(count) == 0  # gone at its end
        assert b.console == [] and all(u == path.as_uri() or u.startswith("data:")
                                       for u in b.requests), b.requests
