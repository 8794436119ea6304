# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for module_utils unit tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.tests.unit.plugins.module_utils.scripted_server import ScriptedServer, self_signed


@pytest.fixture(scope="session")
def _tls_files(tmp_path_factory):
    return self_signed(str(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def server(_tls_files):
    scripted = ScriptedServer(*_tls_files)
    yield scripted
    scripted.stop()
