# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils.basic import AnsibleFallbackNotFound

from ansible_collections.scanops.qualys.plugins.module_utils.env import env_fallback


def test_first_non_empty_variable_wins(monkeypatch):
    monkeypatch.setenv("SCANOPS_A", "")
    monkeypatch.setenv("SCANOPS_B", "value")
    assert env_fallback("SCANOPS_A", "SCANOPS_B") == "value"


def test_empty_variable_counts_as_unset(monkeypatch):
    # AWX injects optional credential fields as empty strings.
    monkeypatch.setenv("SCANOPS_A", "")
    monkeypatch.delenv("SCANOPS_B", raising=False)
    with pytest.raises(AnsibleFallbackNotFound):
        env_fallback("SCANOPS_A", "SCANOPS_B")
