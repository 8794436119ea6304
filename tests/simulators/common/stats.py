# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Call counters served by ``GET /_sim/stats``."""

import threading

# Keep memory bounded in long demo sessions; counters stay exact.
MAX_CALLS_KEPT = 100000


class CallStats:
    """Thread-safe record of every service call (control calls excluded)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = []
        self._by_endpoint = {}
        self._reads = 0
        self._writes = 0
        self._auth = 0
        self._dropped = 0

    def record(self, call):
        """Count one finished (or faulted) call, a ``CallInfo``."""
        entry = {
            "method": call.method,
            "path": call.path,
            "action": call.action,
            "kind": call.kind,
            "status": call.status,
            "user": call.user,
            "params": getattr(call, "params", []),
        }
        if call.fault:
            entry["fault"] = call.fault
        with self._lock:
            if call.kind == "write":
                self._writes += 1
            elif call.kind == "auth":
                self._auth += 1
            else:
                self._reads += 1
            self._by_endpoint[call.endpoint] = self._by_endpoint.get(call.endpoint, 0) + 1
            if len(self._calls) >= MAX_CALLS_KEPT:
                self._calls.pop(0)
                self._dropped += 1
            self._calls.append(entry)

    def snapshot(self):
        with self._lock:
            return {
                "reads": self._reads,
                "writes": self._writes,
                "auth": self._auth,
                "calls": list(self._calls),
                "calls_dropped": self._dropped,
                "by_endpoint": dict(self._by_endpoint),
            }

    def reset(self):
        with self._lock:
            self._calls = []
            self._by_endpoint = {}
            self._reads = self._writes = self._auth = self._dropped = 0
