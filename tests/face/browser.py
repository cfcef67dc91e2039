"""A headless Chromium driven over the DevTools protocol on a pipe: one launch, many pages (the explorer's tests).

Standard library only. Chromium reads commands from file descriptor 3 and writes replies to 4, each a JSON
message ended by a NUL byte (``--remote-debugging-pipe``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time

INSTALL_HINT = "the explorer's tests need Debian's chromium: apt-get install chromium (.ci/run installs it when missing)"


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError(INSTALL_HINT)
    return path


class Browser:
    """One headless Chromium with one page; :meth:`open` loads a URL and waits for the explorer to be ready."""

    def __init__(self, width: int = 1200, height: int = 900):
        self._profile = tempfile.TemporaryDirectory(prefix="imagination-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire():  # runs in the child: the pipe ends become fds 3 and 4 (os.dup2 makes them inheritable)
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen(
            [chromium_path(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}", f"--window-size={width},{height}",
             "about:blank"],
            preexec_fn=wire, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False}, page=True)

    def send(self, method: str, params: dict | None = None, page: bool = False, timeout: float = 30.0) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" not in self._buffer:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no reply to {method} within {timeout} s")
                chunk = os.read(self._from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError(f"chromium closed the pipe (exit code {self.process.poll()})")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if "method" in reply and "id" not in reply:  # an event (e.g. Network.requestWillBeSent): kept for who asks
                self.events.append(reply)
                continue
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, page=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str, timeout: float = 20.0) -> None:
        """Load ``url`` and wait until the explorer has computed everything (``body[data-ready]``)."""
        try:
            self.evaluate("window.__previous = true")
        except RuntimeError:
            pass
        self.send("Page.navigate", {"url": url}, page=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate("!window.__previous && document.body !== null && document.body.dataset.ready === 'true'"):
                    return
            except RuntimeError:
                pass  # the old document is going away
            time.sleep(0.01)
        raise TimeoutError(f"{url} did not finish within {timeout} s")

    def key(self, key: str, code: int) -> None:
        """Press and release one key in the focused element."""
        for kind in ("rawKeyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code},
                      page=True)

    def screenshot(self, full_page: bool = True) -> bytes:
        """A PNG of the page (the whole page when ``full_page``)."""
        params = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params |= {"captureBeyondViewport": True,
                       "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}}
        return base64.b64decode(self.send("Page.captureScreenshot", params, page=True)["data"])

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()
