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

    def get_secret_and_etag(self, secret_id):
        """(secret dict, etag): the etag to send as ``if-match`` so that a write fails if the secret changed."""
        response = self.oci.call('get secret', self.vaults.get_secret, secret_id)
        headers = getattr(response, 'headers', None) or {}
        return plain(response.data), headers.get('etag')

    def find_secret_in_vault(self, vault_id, name):
        """OCID of the secret called ``name`` in the vault, whatever its compartment, or None.

        OCI lists secrets only per compartment, but reads a bundle by secret name and vault
        (``get_secret_bundle_by_name``), which names the secret. Its CURRENT content comes along
        and is dropped here without being decoded. A 404 means no such secret, or no permission
        to read its bundles.
        """
        found = self.find_bundle_in_vault(vault_id, name)
        return found[0] if found else None

    def find_bundle_in_vault(self, vault_id, name):
        """``(secret_id, bytes, version_number, stages)`` of the CURRENT version of the secret called ``name`` in the
        vault (see ``find_secret_in_vault``), or None. Keep the bytes private."""
        try:
            bundle = self.oci.call('read the secret bundle by name', self.secrets.get_secret_bundle_by_name,
                                   name, vault_id).data
        except OciError as exc:
            if exc.status == 404:
                return None
            raise
        data = _bundle_bytes(bundle)
        return bundle.secret_id, data, bundle.version_number, list(bundle.stages or [])

    def read_bundle(self, secret_id, stage=None, version_number=None):
        """(bytes, version_number, stages) of one version: by ``version_number``, else by ``stage`` (CURRENT by default).

        Keep the bytes private.
        """
        if version_number is not None:
            what = 'read version %s of the secret bundle' % version_number
            kwargs = dict(version_number=version_number)
        else:
            stage = stage or 'CURRENT'
            what = 'read the %s secret bundle' % stage
            kwargs = dict(stage=stage)
        bundle = self.oci.call(what, self.secrets.get_secret_bundle, secret_id, **kwargs).data
        return _bundle_bytes(bundle), bundle.version_number, list(bundle.stages or [])

    def read_content(self, secret_id, stage=None, version_number=None):
        """(bytes, version_number) of one version (see ``read_bundle``).  Keep the bytes private."""
        data, number, dummy = self.read_bundle(secret_id, stage=stage, version_number=version_number)
        return data, number

    def read_current_content(self, secret_id):
        """(bytes, version_number) of the CURRENT version.  Keep the bytes private."""
        return self.read_content(secret_id, stage='CURRENT')

    def list_versions(self, secret_id):
        """Every version of the secret (no content): dicts with version_number and stages, newest first."""
        items = self.oci.list_all('list secret versions', self.vaults.list_secret_versions, secret_id,
                                  limit=100, sort_by='VERSION_NUMBER', sort_order='DESC')
        found = [plain(item) for item in items]
        found.sort(key=lambda v: v.get('version_number') or 0, reverse=True)
        return found

    def read_pending(self, secret_id, versions=None, current_stages=None):
        """(bytes, version_number) of the PENDING version newer than the CURRENT one, or (None, None).

        ``current_stages``: the stages of the CURRENT bundle, when the caller read it. A CURRENT version
        that is also LATEST has no newer version, so there is nothing to look for and nothing is called.
        (A PENDING version older than the CURRENT one, which a CURRENT write made after it, is stale and
        not reported.) ``versions``: the list from ``list_versions``, when the caller has it already.
        """
        if current_stages is not None and 'LATEST' in current_stages:
            return None, None
        if versions is None:
            versions = self.list_versions(secret_id)
        current = [v.get('version_number') or 0 for v in versions if 'CURRENT' in (v.get('stages') or [])]
        pending = [v for v in versions if 'PENDING' in (v.get('stages') or [])
                   and (v.get('version_number') or 0) > max(current or [0])]
        if not pending:
            return None, None
        return self.read_content(secret_id, version_number=pending[0]['version_number'])

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

    def update_secret(self, secret_id, data=None, description=None, freeform_tags=None, defined_tags=None,
                      stage='CURRENT', if_match=None):
        """One PUT: a new version when ``data`` is given (``stage`` CURRENT or PENDING), plus metadata.

        ``if_match``: the etag read before; OCI refuses the write (HTTP 412) if the secret changed since.
        """
        models = sdk_module('vault').models
        details = models.UpdateSecretDetails(
            description=description,
            freeform_tags=freeform_tags,
            defined_tags=defined_tags,
        )
        if data is not None:
            details.secret_content = models.Base64SecretContentDetails(
                content_type='BASE64', stage=stage, content=sc.to_base64(data))
        kwargs = dict(if_match=if_match) if if_match else {}
        # Not retried: a retry after a lost reply would add a second version.
        return plain(self.oci.call('update secret', self.vaults.update_secret, secret_id, details,
                                   retry_strategy=self.oci.no_retry(), write=True, **kwargs).data)

    def promote_version(self, secret_id, version_number, if_match=None, description=None, freeform_tags=None,
                        defined_tags=None):
        """Make version ``version_number`` (a PENDING one) CURRENT; the old CURRENT becomes PREVIOUS.

        OCI takes the version number, contents and rules in separate updates; metadata may come along.
        """
        models = sdk_module('vault').models
        details = models.UpdateSecretDetails(
            current_version_number=version_number,
            description=description,
            freeform_tags=freeform_tags,
            defined_tags=defined_tags,
        )
        kwargs = dict(if_match=if_match) if if_match else {}
        return plain(self.oci.call('promote secret version %s' % version_number, self.vaults.update_secret,
                                   secret_id, details, retry_strategy=self.oci.no_retry(), write=True, **kwargs).data)

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


def _bundle_bytes(bundle):
    """The decoded content of a secret bundle (BASE64 content only). Keep the bytes private."""
    details = bundle.secret_bundle_content
    content_type = getattr(details, 'content_type', None)
    if content_type != 'BASE64':
        raise OciError('the secret bundle has content type %r; only BASE64 is supported' % content_type)
    try:
        return sc.from_base64(details.content)
    except sc.ContentError as exc:
        raise OciError(str(exc))
