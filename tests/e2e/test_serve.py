"""bin/serve as a person at a terminal uses it: it says it is running only once the API answers, a taken port
is one clear line, and Ctrl-C (SIGINT to the whole process group) stops every process at once."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from support.served import ROOT, free_port

STOP_WITHIN_S = 3.0
RUNNING = "Stablework: API on http://"  # the line that says the API and the consumer are running


def start_serve(tmp_path, port: int, name: str) -> tuple[subprocess.Popen, object]:
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    with (tmp_path / f"{name}.out").open("w") as out:
        process = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process, tmp_path / f"{name}.out"


def wait_until_running(process: subprocess.Popen, out_path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while RUNNING not in out_path.read_text():
        assert process.poll() is None, out_path.read_text()
        assert time.monotonic() < deadline, out_path.read_text()
        time.sleep(0.1)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def group_is_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def descendants(pid: int) -> set[int]:
    """Every process started below `pid`, in whatever process group (Linux: /proc)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in map(int, (task / "children").read_text().split()):
            found |= {child} | descendants(child)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before the open, or between the open and the read
        return False


def stop_with_ctrl_c(process: subprocess.Popen) -> tuple[float, set[int]]:
    """Send SIGINT to the process group, as a terminal's Ctrl-C does; return how long until every process
    started is gone, and those that are not."""
    started = time.monotonic()
    processes = descendants(process.pid)
    assert len(processes) >= 4, processes  # the consumer, gunicorn and its two workers
    os.killpg(process.pid, signal.SIGINT)
    while (left := {pid for pid in processes if alive(pid)}) or process.poll() is None:
        if time.monotonic() - started > STOP_WITHIN_S + 10:
            return time.monotonic() - started, left
        time.sleep(0.02)
    return time.monotonic() - started, set()


def test_serve_says_running_once_the_api_answers_and_ctrl_c_stops_everything_within_3s(tmp_path):
    for attempt in range(3):
        port = free_port()
        process, out_path = start_serve(tmp_path, port, f"run{attempt}")
        try:
            wait_until_running(process, out_path)
            assert answers(port), f"said running, but the port does not answer:\n{out_path.read_text()}"
            took, left = stop_with_ctrl_c(process)
        finally:
            if not group_is_gone(process.pid):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        output = out_path.read_text()
        assert took < STOP_WITHIN_S and not left, f"attempt {attempt}: {took:.1f}s, left {left}\n{output}"
        assert process.returncode == 0, output
        assert "Traceback" not in output, output


def test_serve_on_a_taken_port_says_so_in_one_line_and_exits(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process, out_path = start_serve(tmp_path, port, "taken")
        try:
            process.wait(timeout=30)
        finally:
            if not group_is_gone(process.pid):
                os.killpg(process.pid, signal.SIGKILL)
    output = out_path.read_text()
    assert process.returncode != 0, output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if str(port) in line]
    assert len(lines) == 1 and "PORT" in lines[0] and RUNNING not in output, output
    assert group_is_gone(process.pid), output
