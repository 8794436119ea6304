# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Environment-variable fallbacks for module options."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleFallbackNotFound


def env_fallback(*names):
    """Like Ansible's env_fallback, but an empty variable counts as unset.

    AWX credential types inject every field, optional ones as empty strings;
    those must not override a default or clash with another option.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound
