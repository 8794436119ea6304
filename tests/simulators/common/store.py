# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A JSON file that holds a simulator's object store between runs."""

import json
import os
import threading


class JsonStateFile:
    """Load and atomically save one JSON document (``<state-dir>/state.json``).

    ``save`` writes a temporary file and renames it over the old one, so a
    simulator killed mid-write never leaves a half-written state behind.
    """

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()

    def load(self, default=None):
        """Return the saved document, or ``default`` when there is none."""
        try:
            with open(self.path, "r", encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            return default

    def save(self, document):
        """Write ``document`` (any JSON-serialisable value) atomically."""
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        data = json.dumps(document, separators=(",", ":"))
        with self._lock:
            tmp = "%s.%d.tmp" % (self.path, threading.get_ident())
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(tmp, self.path)
