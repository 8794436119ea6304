# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Qualys side of the module base: connection options, the client, secrets.

``QualysConnection`` is the Qualys connection mix-in of the service-neutral
base in ``resource_module``: the shared options, ``resolve_connection``, the
lazily built ``QualysClient`` and the masking of the credentials and token.
A resource module subclasses ``QualysResourceModule`` and says only how to
find its object, what the user asked for, and how to create/update/delete;
``run()`` does the rest. Read-only ``*_info`` modules use ``QualysModule``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
from urllib.parse import urlsplit

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import (
    QUALYS_AUTH_ARGSPEC,
    QUALYS_AUTH_OPTIONS,
    QualysClient,
    resolve_connection,
)
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.module_utils.resource_module import ResourceModule, ServiceModule


def qualys_argument_spec(**module_spec):
    """The shared connection options merged with a module's own."""
    spec = copy.deepcopy(QUALYS_AUTH_ARGSPEC)
    spec.update(module_spec)
    return spec


class QualysConnection:
    """Connection mix-in: Qualys options, the client, and what must never be shown."""

    error_types = (QualysError,)
    _client = None

    def connection_argument_spec(self):
        return qualys_argument_spec()

    def connection_mutually_exclusive(self):
        return QUALYS_AUTH_OPTIONS["mutually_exclusive"]

    def connect(self):
        self._client = None
        try:
            self.params.update(resolve_connection(self.params))
        except QualysError as exc:
            self.fail_for(exc)
        # Values taken from the environment here are not known to AnsibleModule as secrets.
        self.keep_secret(self.params.get("password"))
        self.keep_secret(self.params.get("client_secret"))
        if self.params.get("proxy_url"):
            # A proxy URL may carry a password (http://user:secret@proxy:3128).
            self.keep_secret(urlsplit(self.params["proxy_url"]).password)

    @property
    def client(self):
        """The Qualys client, built on first use."""
        if self._client is None:
            self._client = QualysClient(self.params, warn=self.module.warn)
        return self._client

    def before_exit(self):
        if self._client is not None:
            self.keep_secret(self._client.token)


class QualysModule(QualysConnection, ServiceModule):
    """An AnsibleModule with a Qualys client and one error path."""

    def __init__(self, argument_spec, supports_check_mode=True, required_together=None,
                 mutually_exclusive=None, **kwargs):
        super(QualysModule, self).__init__(argument_spec, supports_check_mode=supports_check_mode,
                                           required_together=required_together,
                                           mutually_exclusive=mutually_exclusive, **kwargs)


class QualysResourceModule(QualysModule, ResourceModule):
    """One Qualys object managed to ``state: present|absent`` (see ``resource_module.ResourceModule``)."""
