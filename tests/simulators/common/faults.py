# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection plan configured through ``/_sim/faults``."""

import fnmatch
import random
import threading

# Kinds every simulator understands.  The transport-level ones are carried out
# by the common server; the HTTP-status ones get a body from the service app
# (``ServiceApp.fault_response``) or a plain default.
COMMON_FAULT_KINDS = (
    "429",
    "500",
    "503",
    "reset_before_reply",
    "drop_after_write",
    "slow",
    "malformed",
    "html_error",
    "hold",
)

# Kinds for explicit rules only, never drawn at random (a random draw picks among the others, so seeded plans
# stay as they were): ``hold`` keeps a call waiting so that a test can kill its client at that instant.
RULE_ONLY_FAULT_KINDS = ("hold",)

# Kinds where the request is still processed (the write is applied).
PROCESSED_FAULT_KINDS = ("drop_after_write", "slow", "malformed")


class FaultConfigError(ValueError):
    """A /_sim/faults body that cannot be used; reported as HTTP 400."""


def _as_int(value, name, minimum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultConfigError("%s must be an integer" % name)
    if minimum is not None and value < minimum:
        raise FaultConfigError("%s must be >= %d" % (name, minimum))
    return value


class FaultPlan:
    """Which calls fail and how.

    Rules (explicit, counted) are checked first in order; then, when ``rate``
    is above zero, a seeded random draw picks a kind from ``kinds``.  The draw
    happens once per eligible call in arrival order, so a sequential client
    sees the same faults for the same seed.
    """

    def __init__(self, known_kinds=COMMON_FAULT_KINDS):
        self.known_kinds = tuple(known_kinds)
        self._lock = threading.Lock()
        self._clear()

    def _clear(self):
        self.seed = 0
        self.rate = 0.0
        self.kinds = []
        self.rules = []
        self.fired = []
        self._rng = random.Random(0)

    def clear(self):
        with self._lock:
            self._clear()

    def configure(self, body):
        """Replace the plan with ``body`` (see README for the fields)."""
        if not isinstance(body, dict):
            raise FaultConfigError("body must be a JSON object")
        unknown = set(body) - {"seed", "rate", "kinds", "rules"}
        if unknown:
            raise FaultConfigError("unknown fields: %s" % ", ".join(sorted(unknown)))
        seed = _as_int(body.get("seed", 0), "seed")
        rate = body.get("rate", 0)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise FaultConfigError("rate must be a number between 0 and 1")
        kinds = body.get("kinds") or [kind for kind in self.known_kinds if kind not in RULE_ONLY_FAULT_KINDS]
        if not isinstance(kinds, list):
            raise FaultConfigError("kinds must be a list")
        self._check_kinds(kinds)
        rules = []
        for index, rule in enumerate(body.get("rules") or []):
            rules.append(self._rule(index, rule))
        with self._lock:
            self._clear()
            self.seed = seed
            self.rate = float(rate)
            self.kinds = list(kinds)
            self.rules = rules
            self._rng = random.Random(seed)

    def _check_kinds(self, kinds):
        bad = [kind for kind in kinds if kind not in self.known_kinds]
        if bad:
            raise FaultConfigError("unknown fault kinds %s; known: %s" % (bad, ", ".join(self.known_kinds)))

    def _rule(self, index, rule):
        if not isinstance(rule, dict):
            raise FaultConfigError("rules[%d] must be an object" % index)
        unknown = set(rule) - {"path", "action", "method", "kind", "times", "skip"}
        if unknown:
            raise FaultConfigError("rules[%d]: unknown fields %s" % (index, sorted(unknown)))
        if "kind" not in rule:
            raise FaultConfigError("rules[%d]: kind is required" % index)
        self._check_kinds([rule["kind"]])
        times = _as_int(rule.get("times", 1), "rules[%d].times" % index)
        return {
            "path": rule.get("path"),
            "action": rule.get("action"),
            "method": (rule.get("method") or "").upper() or None,
            "kind": rule["kind"],
            "times": times,  # negative = unlimited
            "skip": _as_int(rule.get("skip", 0), "rules[%d].skip" % index, 0),
            "fired": 0,
        }

    @staticmethod
    def _path_matches(pattern, call):
        if not pattern:
            return True
        wanted = pattern.rstrip("/") or "/"
        for candidate in (call.path, call.endpoint_path):
            have = (candidate or "").rstrip("/") or "/"
            if "*" in wanted and fnmatch.fnmatchcase(have, wanted):
                return True
            if have == wanted or have.startswith(wanted + "/"):
                return True
        return False

    def _rule_matches(self, rule, call):
        if rule["method"] and rule["method"] != call.method:
            return False
        if rule["action"] is not None and rule["action"] != call.action:
            return False
        return self._path_matches(rule["path"], call)

    def pick(self, call):
        """Return the fault kind for ``call`` or None; records what fired."""
        with self._lock:
            for rule in self.rules:
                if rule["times"] == 0 or not self._rule_matches(rule, call):
                    continue
                if rule["skip"] > 0:
                    rule["skip"] -= 1
                    continue
                if rule["times"] > 0:
                    rule["times"] -= 1
                rule["fired"] += 1
                return self._fired(rule["kind"], call)
            if self.rate > 0 and self.kinds:
                if self._rng.random() < self.rate:
                    return self._fired(self._rng.choice(self.kinds), call)
        return None

    def _fired(self, kind, call):
        self.fired.append({"kind": kind, "method": call.method, "path": call.path, "action": call.action})
        return kind

    def describe(self):
        with self._lock:
            return {
                "seed": self.seed,
                "rate": self.rate,
                "kinds": list(self.kinds),
                "known_kinds": list(self.known_kinds),
                "rules": [dict(rule) for rule in self.rules],
                "fired": list(self.fired),
            }
