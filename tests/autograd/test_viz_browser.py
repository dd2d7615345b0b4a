"""The backprop HTML page in a real headless Chromium, driven over the DevTools protocol.

The protocol runs over a websocket; the small client below uses only the standard
library (socket, base64, struct), so the test needs no extra package.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, viz

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.path.exists(p)), None
)
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (/usr/bin/chromium)"),
    pytest.mark.skipif(
        shutil.which("dot") is None,
        reason="needs Graphviz's dot: apt-get install graphviz (Debian/Ubuntu), "
        "brew install graphviz (macOS)",
    ),
]


class DevTools:
    """A minimal Chrome DevTools Protocol client over one websocket (RFC 6455)."""

    def __init__(self, url: str) -> None:
        host_port, path = url.removeprefix("ws://").split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(1)
        assert b" 101 " in response.split(b"\r\n")[0], response
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("DevTools websocket closed")
            data += chunk
        return data

    def _send(self, text: str) -> None:
        payload = text.encode()
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        mask = os.urandom(4)  # clients must mask every frame
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _receive(self) -> dict[str, Any]:
        message = b""
        while True:
            first, second = self._exact(2)
            n = second & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._exact(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._exact(8))
            payload = self._exact(n)
            if first & 0x0F in (0x0, 0x1):  # text or continuation; pings are ignored
                message += payload
                if first & 0x80:
                    return json.loads(message)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = self._receive()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message)

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def open(self, url: str, ready: str = "!!window.show") -> None:
        """Go to `url` and wait until the document has loaded and `ready` is true."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 20
        page = json.dumps(url.split("#")[0])  # the page rewrites its #step=k
        check = f"location.href.split('#')[0] === {page} && document.readyState === 'complete'"
        while not self.js(f"{check} && ({ready})"):
            assert time.monotonic() < deadline, f"page did not load: {url}"
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        box = self.js(
            f"JSON.stringify(document.querySelector('{selector}').getBoundingClientRect())"
        )
        rect = json.loads(box)
        x, y = rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def key(self, name: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent", type=kind, key=name, code=name, windowsVirtualKeyCode=code
            )


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    profile = tmp_path / "profile"
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--window-size=1280,900",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert process.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        client = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield client
        client.sock.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def state(page: DevTools) -> tuple[str, int, str]:
    """The counter text, the index of the visible step, and the caption."""
    visible = page.js("[...document.querySelectorAll('.step')].findIndex(s => !s.hidden)")
    return page.js("counter.textContent"), visible, page.js("caption.textContent")


def test_page_steps_with_buttons_and_keys(browser: DevTools, tmp_path: Path) -> None:
    import matplotlib.image

    x = Tensor(np.array([0.5, -1.0]), requires_grad=True, name="x")
    w = Tensor(np.array([2.0, 3.0]), requires_grad=True, name="w")
    loss = ((x * w).tanh() * x).sum()  # x used twice: Sum, Mul, Tanh, Mul
    steps = viz.backprop_walkthrough(loss)
    url = viz.save_backprop_html(loss, tmp_path / "steps.html").resolve().as_uri()
    browser.call("Network.enable")
    browser.call("Page.enable")
    browser.open(url)

    assert state(browser) == ("Step 1 / 4", 0, steps[0].caption)
    assert browser.js("prev.disabled") is True
    browser.click("#next")
    assert state(browser) == ("Step 2 / 4", 1, steps[1].caption)
    assert browser.js("location.hash") == "#step=2"
    browser.key("ArrowRight", 39)
    browser.key("ArrowRight", 39)
    assert state(browser) == ("Step 4 / 4", 3, steps[3].caption)
    assert browser.js("next.disabled") is True
    browser.click("#next")  # disabled at the end: nothing happens
    assert state(browser)[0] == "Step 4 / 4"
    browser.key("ArrowLeft", 37)
    assert state(browser)[:2] == ("Step 3 / 4", 2)
    browser.click("#prev")
    assert state(browser)[:2] == ("Step 2 / 4", 1)

    browser.open("about:blank", ready="true")
    browser.open(url + "#step=3")  # a link to one step
    assert state(browser) == ("Step 3 / 4", 2, steps[2].caption)

    shot = browser.call("Page.captureScreenshot", format="png")["data"]
    image = matplotlib.image.imread(io.BytesIO(base64.b64decode(shot)), format="png")
    colours = np.unique(image[..., :3].reshape(-1, 3), axis=0)
    assert image.shape[1] == 1280 and image.shape[0] > 500 and len(colours) > 10
    red = np.array([0xDC, 0x26, 0x26]) / 255  # the outline of the op being processed
    assert (np.abs(image[..., :3] - red).max(axis=-1) < 0.1).sum() > 50

    urls = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert urls and all(u.startswith(("file:", "about:", "data:")) for u in urls), urls
