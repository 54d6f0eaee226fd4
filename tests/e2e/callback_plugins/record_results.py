# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: append every task result as one JSON line to $RECORD_RESULTS_FILE.

The end-to-end tests read these lines to assert on task results without scraping the
human-readable output.
"""
from __future__ import annotations

DOCUMENTATION = r"""
name: record_results
type: aggregate
short_description: Record task results as JSON lines (tests only)
description:
  - Appends one JSON object per task result to the file named by E(RECORD_RESULTS_FILE).
requirements:
  - The E(RECORD_RESULTS_FILE) environment variable.
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status: str, result) -> None:
        line = {
            "status": status,
            "host": result._host.get_name(),
            "task": result._task.get_name(),
            "result": result._result,
        }
        with open(os.environ["RECORD_RESULTS_FILE"], "a", encoding="utf-8") as stream:
            stream.write(json.dumps(line, default=str) + "\n")

    def v2_runner_on_ok(self, result) -> None:
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False) -> None:
        self._record("failed", result)

    def v2_runner_on_skipped(self, result) -> None:
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result) -> None:
        self._record("unreachable", result)
