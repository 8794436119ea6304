# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where things are: the checkout, the linked collection, the venv's commands, the simulators' administrator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TESTS)
COLLECTIONS = os.path.join(REPO, ".build", "collections")
# The recording callback of the integration tests (scanops_record).
CALLBACKS = os.path.join(TESTS, "integration", "callback_plugins")
# ansible-playbook, ansible-galaxy, ... of the Python that runs the tests.
BIN = os.path.dirname(sys.executable)

# The administrator both simulators know.
QUALYS_ADMIN = ("scanops_admin", "scanops-demo-Admin1!")


def link_collection():
    """Make this checkout importable as scanops.qualys for ansible-playbook; return the collections path."""
    namespace = os.path.join(COLLECTIONS, "ansible_collections", "scanops")
    link = os.path.join(namespace, "qualys")
    os.makedirs(namespace, exist_ok=True)
    if not os.path.islink(link):
        os.symlink(REPO, link)
    return COLLECTIONS
