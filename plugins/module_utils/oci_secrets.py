# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""OCI Vault secrets: what ``oci_qualys_secret`` and its _info module ask of Vault, Secrets and KMS.

``OciSecrets`` takes an ``oci_client.OciClient`` and returns plain dicts;
every failure is ``oci_client.OciError``. Secret content never appears in a
return value, a message or an exception raised from here: only
``oci_secret_content.fingerprint`` of it (``read_current_content`` returns the
bytes to the caller, which keeps them private).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import OciError, plain, sdk_module, utcnow

SECRET_GONE_STATES = ('DELETED', 'DELETING')
SECRET_DELETION_STATES = ('PENDING_DELETION', 'SCHEDULING_DELETION', 'DELETING', 'DELETED')
# States a secret passes through on its own, and those it settles in.
SECRET_TRANSITIONAL_STATES = ('CREATING', 'UPDATING', 'SCHEDULING_DELETION', 'CANCELLING_DELETION')
SECRET_SETTLED_STATES = ('ACTIVE', 'PENDING_DELETION', 'FAILED')


class OciSecrets:
    """Secret reads and writes over one OciClient."""

    def __init__(self, client):
        self.oci = client

    @property
    def vaults(self):
        return self.oci.client('vaults')

    @property
    def secrets(self):
        return self.oci.client('secrets')

    @property
    def kms(self):
        return self.oci.client('kms')

    def kms_management(self, vault_management_endpoint):
        endpoint = self.oci.endpoint_for('kms_management') or vault_management_endpoint
        if not endpoint:
            raise OciError('the vault has no management endpoint; set service_endpoints.kms_management', kind='config')
        return self.oci.client('kms_management', endpoint.rstrip('/'))

    # ---------------------------------------------------------------- reads

    def find_secret(self, compartment_id, vault_id, name):
        """The live secret called ``name`` in the vault (summary dict) or None.

        A secret pending deletion still owns its name, so it is returned.
        """
        items = self.oci.list_all('list secrets', self.vaults.list_secrets, compartment_id,
                                  vault_id=vault_id, name=name, limit=100)
        found = [plain(item) for item in items]
        found = [s for s in found if s.get('secret_name') == name and s.get('lifecycle_state') not in SECRET_GONE_STATES]
        if not found:
            return None
        found.sort(key=lambda s: (s.get('lifecycle_state') in SECRET_DELETION_STATES, s.get('time_created') or ''))
        return found[0]

    def list_secrets(self, compartment_id, vault_id=None, name=None):
        kwargs = dict(limit=100)
        if vault_id:
            kwargs['vault_id'] = vault_id
        if name:
            kwargs['name'] = name
        items = self.oci.list_all('list secrets', self.vaults.list_secrets, compartment_id, **kwargs)
        found = [plain(item) for item in items]
        return [s for s in found if s.get('lifecycle_state') != 'DELETED' and (not name or s.get('secret_name') == name)]

    def get_secret(self, secret_id):
        return plain(self.oci.call('get secret', self.vaults.get_secret, secret_id).data)

    def read_current_content(self, secret_id):
        """(bytes, version_number) of the CURRENT version.  Keep the bytes private."""
        bundle = self.oci.call('read the CURRENT secret bundle', self.secrets.get_secret_bundle,
                               secret_id, stage='CURRENT').data
        details = bundle.secret_bundle_content
        content_type = getattr(details, 'content_type', None)
        if content_type != 'BASE64':
            raise OciError('the secret bundle has content type %r; only BASE64 is supported' % content_type)
        try:
            data = sc.from_base64(details.content)
        except sc.ContentError as exc:
            raise OciError(str(exc))
        return data, bundle.version_number

    def check_key(self, vault_id, key_id):
        """Fail unless ``key_id`` is an enabled key of ``vault_id``."""
        vault = self.oci.call('get vault', self.kms.get_vault, vault_id).data
        if vault.lifecycle_state not in ('ACTIVE', 'UPDATING'):
            raise OciError('vault_id %s is %s, not ACTIVE' % (vault_id, vault.lifecycle_state), kind='state')
        client = self.kms_management(vault.management_endpoint)
        key = self.oci.call('get key', client.get_key, key_id).data
        if key.vault_id and key.vault_id != vault_id:
            raise OciError('key_id %s belongs to vault %s, not to vault_id %s' % (key_id, key.vault_id, vault_id),
                           kind='config')
        if key.lifecycle_state not in ('ENABLED', 'UPDATING'):
            raise OciError('key_id %s is %s; a secret needs an ENABLED master encryption key'
                           % (key_id, key.lifecycle_state), kind='state')
        return plain(key)

    # ---------------------------------------------------------------- writes

    def create_secret(self, compartment_id, vault_id, key_id, name, data, description=None,
                      freeform_tags=None, defined_tags=None):
        models = sdk_module('vault').models
        details = models.CreateSecretDetails(
            compartment_id=compartment_id,
            vault_id=vault_id,
            key_id=key_id,
            secret_name=name,
            description=description,
            freeform_tags=freeform_tags,
            defined_tags=defined_tags,
            secret_content=models.Base64SecretContentDetails(
                content_type='BASE64', stage='CURRENT', content=sc.to_base64(data)),
        )
        # create_secret carries an opc-retry-token, so a retried POST cannot make two secrets.
        return plain(self.oci.call('create secret', self.vaults.create_secret, details, write=True).data)

    def update_secret(self, secret_id, data=None, description=None, freeform_tags=None, defined_tags=None):
        """One PUT: new CURRENT version when ``data`` is given, plus metadata."""
        models = sdk_module('vault').models
        details = models.UpdateSecretDetails(
            description=description,
            freeform_tags=freeform_tags,
            defined_tags=defined_tags,
        )
        if data is not None:
            details.secret_content = models.Base64SecretContentDetails(
                content_type='BASE64', stage='CURRENT', content=sc.to_base64(data))
        # Not retried: a retry after a lost reply would add a second version.
        return plain(self.oci.call('update secret', self.vaults.update_secret, secret_id, details,
                                   retry_strategy=self.oci.no_retry(), write=True).data)

    def schedule_secret_deletion(self, secret_id, days):
        models = sdk_module('vault').models
        if days >= 30:
            details = models.ScheduleSecretDeletionDetails()  # the service default is 30 days
        else:
            # A small margin so the time is still >= 1 day ahead when OCI checks it.
            when = utcnow() + datetime.timedelta(days=days, minutes=10)
            details = models.ScheduleSecretDeletionDetails(time_of_deletion=when.replace(microsecond=0))
        self.oci.call('schedule secret deletion', self.vaults.schedule_secret_deletion, secret_id, details,
                      retry_strategy=self.oci.no_retry(), write=True)

    def cancel_secret_deletion(self, secret_id):
        self.oci.call('cancel secret deletion', self.vaults.cancel_secret_deletion, secret_id,
                      retry_strategy=self.oci.no_retry(), write=True)

    # ---------------------------------------------------------------- waits

    def wait_secret(self, secret_id, states, timeout):
        return self.oci.wait_for('wait for secret %s to be %s' % (secret_id, '/'.join(states)),
                                 lambda: self.get_secret(secret_id),
                                 lambda s: s.get('lifecycle_state') in states, timeout)


def secret_result(secret, fingerprint=None, version=None):
    """Secret metadata safe to return: never content."""
    if not secret:
        return {}
    result = dict(
        id=secret.get('id'),
        name=secret.get('secret_name'),
        compartment_id=secret.get('compartment_id'),
        vault_id=secret.get('vault_id'),
        key_id=secret.get('key_id'),
        description=secret.get('description'),
        lifecycle_state=secret.get('lifecycle_state'),
        current_version_number=secret.get('current_version_number') or version,
        content_sha256=fingerprint,
        freeform_tags=secret.get('freeform_tags') or {},
        defined_tags=secret.get('defined_tags') or {},
        time_created=secret.get('time_created'),
        time_of_deletion=secret.get('time_of_deletion'),
    )
    if version is not None:
        result['current_version_number'] = version
    return result
