# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Qualys API limits: rolling-window rate limit and concurrency per endpoint.

Documented behaviour: limits apply per API endpoint per subscription to the
VM/PC (/api/2.0) and /msp APIs; concurrency is checked first; a blocked call
gets HTTP 409 with SIMPLE_RETURN CODE 1960 (concurrency) or 1965 (rate) and
the X-RateLimit-* / X-Concurrency-Limit-* headers, which also ride on every
normal reply of those APIs.

What X-Concurrency-Limit-Running counts is not settled: Qualys' documentation
says "including the current call", while live replies to a lone call show 0.
The setting ``concurrency_running_counts_self`` picks the reading:

- true (the documented reading, the default): the calls running on the
  endpoint plus the call being answered, admitted or refused; a served call
  shows at most the limit, a refused one the limit + 1;
- false (what the recordings show): only the other calls running; a served
  call shows at most the limit - 1, a refused one the limit.
"""

import collections
import math
import threading
import time

from .xmlgen import simple_return


def wait_text(seconds):
    """Format like the Qualys 1965 texts: 23 hours, 57 minutes and 54 seconds."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append("%d hour%s" % (hours, "" if hours == 1 else "s"))
    if minutes:
        parts.append("%d minute%s" % (minutes, "" if minutes == 1 else "s"))
    if secs or not parts:
        parts.append("%d second%s" % (secs, "" if secs == 1 else "s"))
    if len(parts) == 1:
        return parts[0]
    return "%s and %s" % (", ".join(parts[:-1]), parts[-1])


class Limits:
    """Per-endpoint counters.  ``config`` is the live /_sim/config dict."""

    def __init__(self, config):
        self.config = config
        self._lock = threading.Lock()
        self._calls = collections.defaultdict(collections.deque)
        self._running = collections.defaultdict(int)

    def reset(self):
        with self._lock:
            self._calls.clear()

    def _window(self):
        """Effective window: towait_scale shrinks real waits and the window alike."""
        return float(self.config["rate_window_sec"]) * float(self.config["towait_scale"])

    def _prune(self, key, now):
        calls = self._calls[key]
        horizon = now - self._window()
        while calls and calls[0] <= horizon:
            calls.popleft()
        return calls

    # concurrency ----------------------------------------------------------
    def counts_self(self):
        return bool(self.config.get("concurrency_running_counts_self", True))

    def enter(self, key):
        """Admit one call; return (admitted, the X-Concurrency-Limit-Running value of its reply)."""
        limit = int(self.config["concurrency_limit"])
        extra = 1 if self.counts_self() else 0
        with self._lock:
            running = self._running[key]
            if 0 < limit <= running:
                return False, running + extra
            self._running[key] = running + 1
            return True, running + extra

    def refused_running(self):
        """The Running value of a refusal when every slot is taken (an injected 1960 fault)."""
        limit = int(self.config["concurrency_limit"]) or 1
        return limit + (1 if self.counts_self() else 0)

    def leave(self, key):
        with self._lock:
            self._running[key] = max(0, self._running[key] - 1)

    # rate -----------------------------------------------------------------
    def take(self, key):
        """Count one call; return seconds to wait when the rate limit blocks it, else 0."""
        limit = int(self.config["rate_limit"])
        now = time.monotonic()
        with self._lock:
            calls = self._prune(key, now)
            if 0 < limit <= len(calls):
                return max(1, int(math.ceil(calls[0] + self._window() - now)))
            calls.append(now)
            return 0

    def headers(self, key, running):
        limit = int(self.config["rate_limit"])
        now = time.monotonic()
        with self._lock:
            calls = self._prune(key, now)
            used = len(calls)
            oldest = calls[0] if calls else now
        remaining = max(0, limit - used) if limit > 0 else 999999
        to_wait = 0
        if limit > 0 and remaining == 0:
            to_wait = max(1, int(math.ceil(oldest + self._window() - now)))
        return {
            "X-RateLimit-Limit": str(limit if limit > 0 else 999999),
            "X-RateLimit-Window-Sec": str(int(self.config["rate_window_sec"])),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-ToWait-Sec": str(to_wait),
            "X-Concurrency-Limit-Limit": str(int(self.config["concurrency_limit"])),
            "X-Concurrency-Limit-Running": str(running),
        }

    def nominal_wait(self):
        """ToWait announced by an injected 1965/429: a full (scaled) window."""
        return max(1, int(math.ceil(self._window())))


def concurrency_refusal(base_url, headers, running, limit):
    """HTTP 409 CODE 1960."""
    to_finish = max(1, running - limit)
    text = "This API cannot be run again until %d currently running instance%s %s finished." % (
        to_finish, "" if to_finish == 1 else "s", "has" if to_finish == 1 else "have")
    return simple_return(base_url, text, 1960, [("CALLS_TO_FINISH", to_finish)], 409, headers)


def rate_refusal(base_url, headers, seconds):
    """HTTP 409 CODE 1965."""
    headers = dict(headers)
    headers["X-RateLimit-Remaining"] = "0"
    headers["X-RateLimit-ToWait-Sec"] = str(seconds)
    text = "This API cannot be run again for another %s." % wait_text(seconds)
    return simple_return(base_url, text, 1965, [("SECONDS_TO_WAIT", seconds)], 409, headers)
