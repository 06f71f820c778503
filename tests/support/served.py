"""Start-up helpers for the project's own servers (bin/serve, bin/demo), and the README a newcomer follows."""
from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "bin/serve exited early"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} not ready after {timeout}s")


class _Unfollowed(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is the answer to look at


def sign_in_over_http(base: str, login: str, password: str) -> tuple[int, str]:
    """Sign in to the pages at `base` as a browser does (the sign-in page's session cookie and CSRF token, then
    the form); the answer's status and where it sends the browser (302 to "/" when signed in)."""
    opener = urllib.request.build_opener(_Unfollowed)
    with opener.open(f"{base}/login", timeout=10) as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "login": login, "password": password}).encode()
    try:
        with opener.open(urllib.request.Request(f"{base}/login", data=form, headers={"Cookie": cookie}),
                         timeout=10) as answer:
            return answer.status, answer.headers.get("Location", "")
    except urllib.error.HTTPError as refused:  # a redirect too, as it is not followed
        return refused.code, refused.headers.get("Location", "")


# The code in the development sender's log line (JSON: the Chinese around it may be escaped).
LOGGED_CODE = re.compile(r"(?<![0-9])([0-9]{6})(?:，|\\uff0c)")


def worker_sign_in_over_http(base: str, phone: str, log_path: Path, timeout: float = 10) -> tuple[int, str]:
    """Sign in to a worker's own pages as their phone's browser does: ask for a code, read it where the
    development sender writes it (the log), send it; the answer's status and where it sends the browser."""
    opener = urllib.request.build_opener(_Unfollowed)
    with opener.open(f"{base}/me/login", timeout=10) as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    cookie = _posted(opener, f"{base}/me/login", {"csrf_token": token, "phone": phone}, cookie)[2] or cookie
    deadline = time.monotonic() + timeout
    while not (codes := LOGGED_CODE.findall(log_path.read_text())):
        assert time.monotonic() < deadline, "no sign-in code in the log"
        time.sleep(0.1)
    status, location, _cookie = _posted(opener, f"{base}/me/code", {"csrf_token": token, "code": codes[-1]}, cookie)
    return status, location


def _posted(opener, url: str, form: dict[str, str], cookie: str) -> tuple[int, str, str | None]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=10) as answer:
            headers, status = answer.headers, answer.status
    except urllib.error.HTTPError as refused:  # a redirect too, as it is not followed
        headers, status = refused.headers, refused.code
    new_cookie = headers.get("Set-Cookie")
    return status, headers.get("Location", ""), new_cookie.split(";")[0] if new_cookie else None
