# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: writes every task result (after no_log censoring) to a JSON file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: scanops_record
type: aggregate
short_description: Record task results as JSON for the integration tests
description:
  - Writes the results of every task to the file named by E(SCANOPS_RECORD_FILE).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "scanops_record"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.records = []

    def _record(self, result, status):
        data = self._clean_results(dict(result._result), result._task.action) or result._result
        self.records.append({"task": result._task.get_name(), "status": status, "result": json.loads(json.dumps(data, default=str))})

    def v2_runner_on_ok(self, result):
        self._record(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_item_on_ok(self, result):
        self._record(result, "item_changed" if result._result.get("changed") else "item_ok")

    def v2_runner_item_on_failed(self, result):
        self._record(result, "item_failed")

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("SCANOPS_RECORD_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump({"tasks": self.records, "stats": stats.summarize("localhost")}, handle)
