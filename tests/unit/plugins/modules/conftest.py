# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module tests run the module code as on a managed host; ``run_module`` (utils.py) is how they run a module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils import _internal

from ansible_collections.scanops.qualys.tests.unit.plugins.modules import utils


@pytest.fixture(autouse=True)
def _as_a_module_process(monkeypatch):
    # Importing controller code in the same process (the filter plugins' tests do) switches module warnings
    # to the controller's display; a module process collects them for its result instead.
    monkeypatch.setattr(_internal, "is_controller", False)


@pytest.fixture
def run_module():
    """utils.run_module: run a module's main() with args, check/diff mode and a replaced client; a ModuleResult."""
    return utils.run_module
