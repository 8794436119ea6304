# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""OCI identifiers and names, checked without the SDK.

The one owner of the OCID and secret-name rules: the OCI modules (through
their module_utils) and the ``restricted_api_user`` role's filters both
check with these, so the role never refuses what a module accepts.
Nothing here imports the ``oci`` SDK or Ansible.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# ocid1.<type>.<realm>.[region][.future use].<unique>
OCID_RE = re.compile(r'^ocid1\.([a-z0-9]+)\.([a-z0-9]+)\.([a-z0-9-]*)(\.[a-z0-9-]+)?\.([A-Za-z0-9_-]+)$')
# OCI Vault secret names.
SECRET_NAME_RE = re.compile(r'^[A-Za-z0-9_.-]{1,255}$')
SECRET_NAME_RULE = '1 to 255 letters, digits, "-", "_" or "." (OCI secret names)'


class InvalidOcid(ValueError):
    """A value that is not an OCID, or not one of the expected type; the message names the option."""


def ocid_problem(value, option, types=None):
    """What is wrong with ``value`` as an OCID (of one of ``types``), or None when it is fine (or None)."""
    if value is None:
        return None
    match = OCID_RE.match(value) if isinstance(value, str) else None
    if not match:
        return ('%s is not a valid OCID: expected ocid1.<type>.<realm>.[region].<unique>, '
                'for example ocid1.vault.oc1.iad.example' % option)
    if types and match.group(1) not in types:
        return '%s must be the OCID of a %s, got one of type %r' % (option, ' or '.join(types), match.group(1))
    return None


def check_ocid(value, option, types=None, error=InvalidOcid):
    """Raise ``error`` (InvalidOcid unless given) unless ``value`` is an OCID (of one of ``types``)."""
    problem = ocid_problem(value, option, types)
    if problem:
        raise error(problem)


def secret_name_problem(value, option='name'):
    """What is wrong with ``value`` as an OCI Vault secret name, or None."""
    if isinstance(value, str) and SECRET_NAME_RE.match(value):
        return None
    return '%s must be %s' % (option, SECRET_NAME_RULE)
