"""The newcomer's demo: bin/demo loads the county, serves it, and the office has real alerts."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request

from test_e2e_readme import ROOT, free_port, wait_ready

KINDS = {"income_drop", "below_line", "no_work", "wage_arrears", "projected_below_line"}


def test_bin_demo_serves_a_county_whose_office_has_every_kind_of_alert(tmp_path):
    port = free_port()
    # What the script prints for the user (the token, shown once) apart from its log (searched for secrets).
    out_path, log_path = tmp_path / "demo.out", tmp_path / "demo.log"
    with out_path.open("w") as out, log_path.open("w") as log:
        process = subprocess.Popen([str(ROOT / "bin" / "demo")], cwd=ROOT, env={**os.environ, "PORT": str(port)},
                                   stdout=out, stderr=log, start_new_session=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}/readyz", process, timeout=180)
        deadline = time.monotonic() + 30
        while not (match := re.search(r"export TOKEN=(\S+)", out_path.read_text())):
            assert time.monotonic() < deadline, out_path.read_text() + log_path.read_text()
            time.sleep(0.2)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/alerts?limit=100",
                                         headers={"Authorization": f"Bearer {match.group(1)}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            alerts = json.loads(response.read())["items"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert {a["kind"] for a in alerts} == KINDS
    by_kind = {(a["kind"], a["subject_id"]) for a in alerts}
    assert ("income_drop", "hh-chen") in by_kind and ("wage_arrears", "ws-tea") in by_kind
    assert ("no_work", "zhao-min") in by_kind and ("projected_below_line", "hh-liu") in by_kind
