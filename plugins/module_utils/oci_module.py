# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The OCI side of the module base: connection options and the SDK client.

``OciConnection`` is the OCI connection mix-in of the service-neutral base in
``resource_module``: the shared options (``doc_fragments/oci.py``), their
checks before any call, and one lazily built ``oci_client.OciClient`` that the
helpers a module uses (``oci_secrets.OciSecrets``,
``oci_scan_recipes.OciScanRecipes``) share through ``service()``. Nothing
here imports the SDK; ``OciClient`` does, on the first call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import (
    OciClient,
    OciError,
    check_common_params,
    oci_argument_spec,
)
from ansible_collections.scanops.qualys.plugins.module_utils.resource_module import ResourceModule, ServiceModule


class OciConnection:
    """Connection mix-in: OCI options, the client, and the helpers built on it."""

    error_types = (OciError,)
    _oci = None
    _services = None

    def connection_argument_spec(self):
        return oci_argument_spec()

    def connect(self):
        self._oci = None
        self._services = {}
        try:
            check_common_params(self.params)
        except OciError as exc:
            self.fail(str(exc))

    @property
    def oci(self):
        """The OciClient (config, signer, SDK clients), built on first use."""
        if self._oci is None:
            self._oci = OciClient(self.params, self.module)
        return self._oci

    def service(self, factory):
        """``factory(self.oci)``, made once per run (e.g. OciSecrets)."""
        if factory not in self._services:
            self._services[factory] = factory(self.oci)
        return self._services[factory]


class OciModule(OciConnection, ServiceModule):
    """An AnsibleModule with an OCI client and one error path (the *_info modules)."""


class OciResourceModule(OciModule, ResourceModule):
    """One OCI object managed to ``state: present|absent`` (see ``resource_module.ResourceModule``)."""
