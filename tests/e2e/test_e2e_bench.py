"""The fleet benchmarks (scripts/bench_fleet.py, bench_restore.py and bench_configure.py, `make bench`) still run and check.

Correctness only, on a small fleet of short backups: its timing figures are for people to
read beside the floor (README, "Fleet benchmark"), never for a test to assert on.
"""
import os
import re
import subprocess
import sys

import pytest
from collection_under_test import COLLECTIONS_PATH, INSTALLED

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


SHORT_JOBS = ["--speed", "4", "--min-duration", "8", "--max-duration", "12", "--wake-delay", "2", "--poll-interval", "1",
              "--progress-interval", "3"]


@pytest.mark.slow
@pytest.mark.skipif(INSTALLED, reason="the benchmark script is not part of the Galaxy build")
@pytest.mark.parametrize("script, arguments, expected_rows", [
    pytest.param("bench_fleet.py", SHORT_JOBS, [r"^backups created / N +4 / 4 ", r"^hosts wrong +0 ",
                                                r"^logins \(identity\.tokens\) +1 "], id="backup"),
    pytest.param("bench_restore.py", SHORT_JOBS, [r"^restores created / N +4 / 4 ",
                                                  r"^duplicates \(backups restored twice\+\) +0 ",
                                                  r"^hosts wrong +0 ", r"^logins \(identity\.tokens\) +1: met "],
                 id="restore"),
    pytest.param("bench_configure.py", [], [r"^configuration writes +4: met +0: met ",
                                            r"^hosts wrong \(configuration, recap\) +0 +0 "], id="configure"),
])
def test_the_benchmark_handles_every_server_once_and_checks_every_result(tmp_path, script, arguments, expected_rows):
    command = [sys.executable, os.path.join(REPO_ROOT, "scripts", script), "--hosts", "4", *arguments]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, TMPDIR=str(tmp_path))

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    for row in expected_rows:
        assert re.search(row, done.stdout, re.MULTILINE), done.stdout
    assert done.stdout.rstrip().endswith("result: PASS")
