"""The pipeline bench splits the machine's CPU between consumers, PostgreSQL and Kafka by process tree: a
tree's time must include children it has already reaped (PostgreSQL's backends) and children still alive."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from bench.services import CpuUse

BURN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n"
# A parent that burns 0.3 s in a child it waits for, starts a second child that burns 0.3 s and is still
# alive when measured, and burns 0.2 s itself: 0.8 s in all, whatever the order the cores run them.
PARENT = f"""
import subprocess, sys, time
subprocess.run([sys.executable, "-c", {BURN.format(s=0.3)!r}], check=True)
alive = subprocess.Popen([sys.executable, "-c", {BURN.format(s=0.3)!r} + "time.sleep(30)\\n"])
{BURN.format(s=0.2)}
print("done", flush=True)
time.sleep(30)
"""


def test_a_tree_counts_its_reaped_and_its_live_children():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        started = time.monotonic()
        use = CpuUse({"tree": [parent.pid]})
        use.start()  # before the interpreter has done much: its start-up counts too, a few hundredths
        assert parent.stdout.readline() == "done\n"
        time.sleep(0.5)  # let the live child finish its 0.3 s
        use.stop()
        wall = time.monotonic() - started
    finally:
        os.killpg(parent.pid, signal.SIGKILL)  # the live child too
        parent.wait()
        parent.stdout.close()
    assert 0.8 <= use.seconds["tree"] <= 0.8 + 3 * 0.15  # three interpreters' start-ups on top
    assert use.busy >= use.seconds["tree"] - 0.05  # the machine's ticks include the tree's
    assert use.busy <= wall * os.cpu_count() + 0.05
