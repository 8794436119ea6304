# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start a simulator as a real subprocess (for test harnesses and ``make demo``)."""

import json
import os
import signal
import subprocess
import sys
import time

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class SimulatorError(RuntimeError):
    """The simulator did not come up (its stderr is in the message)."""


class SimulatorProcess:
    """``python -m simulators.<name>`` in a subprocess, ready when its ready file appears.

    ``SimulatorProcess("qualys", state_dir, ["--seed", "1"]).start()`` then use
    ``.url``, ``.ca_path`` and ``.pid``; ``stop()`` sends SIGTERM and waits.
    Also a context manager.
    """

    def __init__(self, name, state_dir, args=(), python=None, ready_file=None, env=None, timeout=30.0):
        self.name = name
        self.state_dir = os.path.abspath(state_dir)
        self.args = list(args)
        self.python = python or sys.executable
        self.ready_file = ready_file or self.state_dir + ".ready.json"
        self.env = env
        self.timeout = timeout
        self.process = None
        self.info = {}
        self._stderr_path = self.state_dir + ".stderr.log"

    @property
    def url(self):
        return self.info.get("url")

    @property
    def ca_path(self):
        return self.info.get("ca_path")

    @property
    def pid(self):
        return self.info.get("pid")

    def start(self):
        os.makedirs(self.state_dir, exist_ok=True)
        if os.path.exists(self.ready_file):
            os.unlink(self.ready_file)
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [TESTS_DIR, env.get("PYTHONPATH")]))
        command = [self.python, "-m", "simulators.%s" % self.name, "--port", "0",
                   "--state-dir", self.state_dir, "--ready-file", self.ready_file] + self.args
        with open(self._stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.ready_file):
                with open(self.ready_file, "r", encoding="utf-8") as handle:
                    self.info = json.load(handle)
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise SimulatorError("simulator %s did not start: %s" % (self.name, self.stderr()))

    def stderr(self):
        try:
            with open(self._stderr_path, "r", encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except FileNotFoundError:
            return ""

    def stop(self, timeout=10.0):
        """SIGTERM, wait, SIGKILL as a last resort; return the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        code = self.process.returncode
        self.process = None
        return code

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
