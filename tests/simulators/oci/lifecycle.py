# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transitional lifecycle states (CREATING, UPDATING, ...) and when they settle.

An object in a transitional state carries its target and settles on the GET of the object after
``lifecycle_reads`` GETs have still shown it, or after ``settle_seconds``, whichever comes first;
``/_sim/lifecycle`` may give one object its own ``reads``/``seconds``.
"""

import time

SECRET_STATES = ("CREATING", "ACTIVE", "UPDATING", "DELETING", "DELETED", "SCHEDULING_DELETION",
                 "PENDING_DELETION", "CANCELLING_DELETION", "FAILED")
RECIPE_STATES = ("CREATING", "ACTIVE", "UPDATING", "DELETING", "DELETED", "FAILED")
# The bookkeeping keys of a transition, stored on the object (never shown by a view).
TRANSITION_KEYS = ("_target", "_reads", "_since", "_settle_reads", "_settle_seconds")


def transition(obj, state, target):
    """Put ``obj`` into ``state``, to settle to ``target``."""
    obj["lifecycleState"] = state
    obj["_target"] = target
    obj["_reads"] = 0
    obj["_since"] = time.time()
    obj.pop("_settle_reads", None)
    obj.pop("_settle_seconds", None)


def settle(app, obj, on_read):
    """Move a transitional object to its target state when due; ``on_read``: this is a GET of the object."""
    target = obj.get("_target")
    if not target:
        return False
    if on_read:
        obj["_reads"] = obj.get("_reads", 0) + 1
    reads = obj.get("_settle_reads", app.config.get("lifecycle_reads", 0))
    seconds = obj.get("_settle_seconds", app.config.get("settle_seconds", 5))
    due = obj.get("_reads", 0) > int(reads) or time.time() - obj.get("_since", 0) >= float(seconds)
    if due:
        obj["lifecycleState"] = target
        for key in TRANSITION_KEYS:
            obj.pop(key, None)
        app.save()
        return True
    return False
