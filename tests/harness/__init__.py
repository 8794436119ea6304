# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The harness of the end-to-end tests, shared by tests/integration and bench/run.py.

Import it as ``harness``, with the tests directory on ``sys.path``: tests/integration/conftest.py puts it there
(the simulators are imported from it too), and bench/run.py adds it once. Nothing here is a pytest fixture;
conftest.py builds its fixtures on it.

- ``paths``: REPO, TESTS, COLLECTIONS, BIN, QUALYS_ADMIN, link_collection()
- ``sims``: Simulator, OciSimulator (the simulators as subprocesses, with their /_sim/ control API)
- ``playbooks``: PlayResult, run_playbook() (tasks in one play), run_command() (ansible-playbook as typed),
  run_playbook_file() (a playbook of this collection with an inventory), ansible_env(), playbook_env()
- ``awx``: awx_env() (connection settings as AWX injects them), role_vars(), ROLE_TASK, run_role(),
  load_credential_type(), inject() (a credential type's injectors rendered as AWX renders them), start_role() (the
  role in the background)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from .awx import (AWX, ORIGINAL_IPS, ROLE_TASK, SCOPE_TITLE, awx_env, inject, load_credential_type, role_vars, run_role,
                  start_role)
from .paths import BIN, CALLBACKS, COLLECTIONS, QUALYS_ADMIN, REPO, TESTS, link_collection
from .playbooks import RECAP, RECORD, Callback, PlayResult, ansible_env, playbook_env, run_command, run_playbook, run_playbook_file
from .sims import OciSimulator, Simulator

__all__ = [
    "AWX", "BIN", "CALLBACKS", "COLLECTIONS", "ORIGINAL_IPS", "QUALYS_ADMIN", "RECAP", "RECORD", "REPO", "ROLE_TASK",
    "SCOPE_TITLE", "TESTS", "Callback", "OciSimulator", "PlayResult", "Simulator", "ansible_env", "awx_env", "inject",
    "link_collection", "load_credential_type", "playbook_env", "role_vars", "run_command", "run_playbook",
    "run_playbook_file", "run_role", "start_role",
]
