# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way a module unit test runs a module: ``run_module`` (also the ``run_module`` fixture of conftest.py).

``run_module(module, args, check=False, diff=False, client=None, factory=QUALYS_CLIENT)`` runs ``module.main()``
as Ansible runs it on a managed host, through the real ``exit_json``/``fail_json`` (so no_log masking and the
warnings list are the real ones), and returns a ``ModuleResult``:

- ``args`` are the module options; ``check``/``diff`` set check mode and diff mode;
- the process-wide warnings and deprecations are emptied first, so each run reports only its own;
- ``client`` replaces what ``factory`` names, a ``(namespace, attribute)`` pair: by default the Qualys client
  class every Qualys module builds (``qualys_module.QualysClient``); ``(qualys_role, "RoleAdapter")`` or
  ``(oci_qualys_secret, "OciSecrets")`` for the modules that build a helper of their own. Every call of the
  factory is recorded (``ModuleResult.built``); a ``client`` that is an exception is raised by the factory;
- ``ModuleResult.no_log_values`` holds what the module registered for masking when it ended, so a test can
  check that a secret is masked, not only that it is absent from this one output.

``Call`` is one entry of a declarative list of expected calls (after community.hrobot's ``FetchUrlCall``) for
fakes that answer scripted replies in order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import json

import pytest

from ansible.module_utils import _internal, basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.testing import patch_module_args

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_module

QUALYS_CLIENT = (qualys_module, "QualysClient")


class ModuleResult:
    """What a module run printed: the result, whether it failed, the raw output and the warnings."""

    def __init__(self, text, code, built=(), no_log_values=()):
        self.text = text
        self.code = code
        self.result = json.loads(text.strip().splitlines()[-1])
        self.failed = code != 0
        # Each call of the patched factory: (args, kwargs).
        self.built = list(built)
        self.no_log_values = set(no_log_values)
        self.warnings = [warning["event"]["msg"] if isinstance(warning, dict) else warning
                         for warning in self.result.get("warnings", [])]

    def __getitem__(self, key):
        return self.result[key]

    def __contains__(self, key):
        return key in self.result

    def get(self, key, default=None):
        return self.result.get(key, default)

    def __repr__(self):
        return "ModuleResult(failed=%s, %s)" % (self.failed, self.text.strip())


def module_args(args, check=False, diff=False):
    """The arguments a module receives: its options plus the check and diff switches."""
    arguments = dict(args)
    arguments.update(_ansible_check_mode=check, _ansible_diff=diff)
    return arguments


def run_module(module, args, check=False, diff=False, client=None, factory=QUALYS_CLIENT):
    """Run ``module.main()`` with ``args``; return a ModuleResult (see the module docstring)."""
    built = []
    masked = set()

    def make(*make_args, **make_kwargs):
        built.append((make_args, make_kwargs))
        if isinstance(client, Exception):
            raise client
        return client

    def ending(real):
        # The real exit_json/fail_json, after noting what the module asked to mask.
        def end(self, *end_args, **end_kwargs):
            masked.update(self.no_log_values)
            return real(self, *end_args, **end_kwargs)
        return end

    output = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        # A module process collects warnings for its result (the controller would display them instead).
        patch.setattr(_internal, "is_controller", False)
        if client is not None:
            patch.setattr(factory[0], factory[1], make)
        patch.setattr(basic.AnsibleModule, "exit_json", ending(basic.AnsibleModule.exit_json))
        patch.setattr(basic.AnsibleModule, "fail_json", ending(basic.AnsibleModule.fail_json))
        # Warnings and deprecations are collected process-wide; each run starts with none.
        module_warnings._global_warnings.clear()
        module_warnings._global_deprecations.clear()
        with patch_module_args(module_args(args, check, diff)), contextlib.redirect_stdout(output):
            with pytest.raises(SystemExit) as exited:
                module.main()
    return ModuleResult(output.getvalue(), exited.value.code, built, masked)


class Call:
    """One expected call of a scripted fake and its answer: ``Call(reply, params={...}, write=True)``.

    ``params`` (the whole parameter dict) and ``write`` are checked when given; ``reply`` is what the fake
    answers (a reply, or an exception to raise).
    """

    def __init__(self, reply, params=None, write=None):
        self.reply = reply
        self.params = params
        self.write = write

    def check(self, params, write):
        if self.params is not None:
            assert params == self.params, "expected a call with %s, got %s" % (self.params, params)
        if self.write is not None:
            assert write == self.write, "expected write=%s for the call with %s" % (self.write, params)
        return self.reply
