#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: oci_qualys_secret
short_description: Keep a Qualys license or credentials in an OCI Vault secret
version_added: 0.1.0
description:
  - Creates an OCI Vault secret, encrypted with a master encryption key of the vault, holding the Qualys agent license
    (C({"cid", "aid", "pwsUrl", "pwsPort"})) that a Compute host scan recipe with a Qualys agent reads, or any other
    text or JSON such as API credentials for a connector.
  - The secret is found by O(name) in O(vault_id). The content of its CURRENT version is read, decoded and compared with
    the desired content (JSON semantically, so key order and whitespace do not count), and a new version is written only
    when they differ. The same license given as plain JSON or as base64 is the same content.
  - O(state=absent) schedules the deletion of the secret; OCI keeps it for O(deletion_days) before it is gone.
  - When two runs create the same secret at once, the one whose create OCI refuses (the name is taken) continues with
    the secret the other run created.
  - Secret content is never returned, logged or shown in a diff; only a sha256 prefix of it (RV(secret.content_sha256)).
  - "Two-phase rotation: O(stage=pending) stores the content as a PENDING version while consumers keep reading the
    CURRENT one; once the new content is in use (a password changed on the target system), O(promote_pending=true)
    makes the PENDING version CURRENT. O(if_version_number) makes a write conditional on the version the caller read,
    so that a run never overwrites what another run stored meanwhile (a lost update)."
author:
  - scanops.qualys maintainers (@scanops)
extends_documentation_fragment:
  - scanops.qualys.oci
  - scanops.qualys.oci.attributes
  - scanops.qualys.oci.action_group
options:
  compartment_id:
    description: OCID of the compartment the secret is (or is to be) in.
    type: str
    required: true
  vault_id:
    description: OCID of the vault that holds the secret.
    type: str
    required: true
  key_id:
    description:
      - OCID of the vault's master encryption key (an ENABLED key of O(vault_id)) used to encrypt the secret.
      - Required to create the secret. The key of an existing secret cannot be changed; a different value fails.
    type: str
  name:
    description:
      - Name of the secret, unique within the vault (letters, digits, C(-), C(_) and C(.)).
    type: str
    required: true
  description:
    description: Description of the secret. Left as it is when not set.
    type: str
  freeform_tags:
    description: Free-form tags of the secret; when set they replace the current ones.
    type: dict
  defined_tags:
    description:
      - Defined tags of the secret, by namespace. Namespaces given replace the current ones; others (such as the
        C(Oracle-Tags) defaults) are kept.
    type: dict
  license:
    description:
      - The Qualys agent license, stored as the JSON object C({"cid", "aid", "pwsUrl", "pwsPort"}).
      - All four keys are required and must not be empty.
      - These key names come from the Compute scan-recipe procedure this collection automates, not from a schema
        Oracle or Qualys publishes; if your agent expects another shape, store it as it is with O(content) (the
        license checks then apply only to JSON that carries one of these keys).
      - Mutually exclusive with O(content) and O(credentials).
    type: dict
    suboptions:
      cid:
        description: Qualys customer ID.
        type: str
        required: true
      aid:
        description: Qualys activation ID.
        type: str
        required: true
      pws_url:
        description: Qualys platform (PWS) URL the agent connects to; must be an C(https://) URL.
        type: str
        required: true
      pws_port:
        description: Port of O(license.pws_url), a number from 1 to 65535 (an integer or a numeric string, written as given).
        type: raw
        required: true
  credentials:
    description:
      - Any JSON object, for example the login, password and API URL of a Qualys API user handed to a connector.
      - Stored as compact JSON. Mutually exclusive with O(license) and O(content).
    type: dict
  content:
    description:
      - The secret content as a string, read according to O(content_format).
      - A JSON object with any of the keys C(cid), C(aid), C(pwsUrl) or C(pwsPort) is checked like O(license).
      - Mutually exclusive with O(license) and O(credentials).
    type: str
  content_format:
    description:
      - How O(content) is given, like the OCI Console's Plain-Text and Base64 secret templates.
      - V(plain) stores the string as it is (OCI receives it base64-encoded).
      - V(base64) decodes the string first; whitespace and line breaks in it are ignored. Invalid base64 fails.
      - V(auto) takes the string as base64 if it decodes to UTF-8 JSON, and as plain text if it does not look like
        base64. Text that looks like base64-encoded JSON (it starts like C(eyJ)) but does not decode to complete JSON,
        such as a truncated paste, is refused, never stored.
      - With V(plain), the base64 encoding of a license is refused, because it would be stored encoded twice.
    type: str
    choices: [auto, plain, base64]
    default: auto
  content_kind:
    description:
      - What O(content) must hold once read according to O(content_format).
      - V(license) requires a Qualys agent license JSON object and checks it like O(license) (keys C(cid), C(aid),
        C(pwsUrl), C(pwsPort), their types and the port), whether it was given as plain text or base64.
      - V(any) accepts any content; a JSON object with any license key is still checked as a license.
    type: str
    choices: [any, license]
    default: any
  state:
    description:
      - V(present) creates the secret or makes its CURRENT content and metadata match.
      - With V(present), a secret pending deletion (scheduled with V(absent) or in the Console) fails the task, naming
        the secret and the date of its deletion, unless O(cancel_deletion=true).
      - V(absent) schedules the deletion of the secret. A secret already pending deletion is left unchanged.
    type: str
    choices: [present, absent]
    default: present
  cancel_deletion:
    description:
      - With O(state=present), cancel the scheduled deletion of a secret pending deletion and keep using it (its content
        and metadata are then made to match as usual). The result says so in RV(deletion_cancelled), and a warning names
        the secret.
      - With the default V(false), such a secret fails the task and is left as it is, so that a deletion someone
        scheduled on purpose is never undone silently.
    type: bool
    default: false
  deletion_days:
    description: With O(state=absent), days from now until OCI deletes the secret; OCI allows 1 to 30.
    type: int
    default: 30
  stage:
    description:
      - Which version the content is stored as, with O(state=present).
      - V(current) makes the content CURRENT (a new version when it differs from the CURRENT content).
      - V(pending) stores it as a new PENDING version and leaves the CURRENT version, which consumers read, as it is.
        Nothing is written when the content equals the CURRENT content or the content of the PENDING version already
        there (a second run is unchanged). RV(pending_version_number) says which version holds it.
      - OCI keeps one PENDING version at a time in this collection's model (assumed; OCI's documentation does not say
        what happens to an older PENDING version), so a newer PENDING version replaces it. OCI cannot delete a PENDING
        version (only C(DEPRECATED) versions can be scheduled for deletion), so a PENDING version that is no longer
        wanted is left to be replaced by the next one, and consumers that read CURRENT never see it.
      - Only a PENDING version newer than the CURRENT one counts; one that a later CURRENT version superseded is stale
        and ignored.
      - V(pending) needs an existing secret (OCI creates a secret with a CURRENT version only); a missing secret
        fails the task. It cannot be combined with O(promote_pending).
    type: str
    choices: [current, pending]
    default: current
  promote_pending:
    description:
      - Make the PENDING version CURRENT (the old CURRENT version becomes PREVIOUS), with O(state=present). No new
        version is written; RV(promoted) says whether a version was (or would be) promoted.
      - With content (O(license), O(credentials) or O(content)), the PENDING version is promoted only if it holds
        that content, so that a run never promotes a PENDING version another run stored. When there is nothing to
        promote and the CURRENT content already equals it, the task is unchanged (a run that promoted already).
        Otherwise it fails and changes nothing - when the PENDING version holds other content, or when there is no
        PENDING version and the CURRENT content differs.
      - Without content, whatever PENDING version there is is promoted; a secret without one fails the task.
      - Description and tags given are updated in the same call. A missing secret fails the task.
    type: bool
    default: false
  if_version_number:
    description:
      - Write only if the CURRENT version number of the secret is this one, typically the
        RV(scanops.qualys.oci_qualys_secret_info#module:secrets[].current_version_number) that the caller read at the
        start of its run. Otherwise the task fails with C(the secret changed since it was read (version N, expected M))
        and writes nothing, in check mode too. V(0) means that the secret must not exist yet.
      - The write is also sent with C(if-match) of the secret's etag, read before its content, and OCI refuses it
        (HTTP 412) if anything changed the secret between this task's read and its write, a new PENDING version
        included; that fails the same way.
      - Checked only when something would be written; a task that finds the content already there is unchanged,
        whatever the version.
      - Writes with O(stage=pending) or O(promote_pending=true) always carry C(if-match), with or without this option.
    type: int
  wait:
    description:
      - Wait until the secret is C(ACTIVE) (or C(PENDING_DELETION) with O(state=absent)) before returning.
      - Also wait, before reading it, for a secret found in a transitional state (C(CREATING), C(UPDATING),
        C(SCHEDULING_DELETION), C(CANCELLING_DELETION)), for example while another run changes it. With V(false)
        such a secret fails the task instead, naming its state.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait at most (each time) with O(wait=true); the module fails if the state is not reached by then.
    type: int
    default: 300
notes:
  - Reading the current content needs the C(read secret-bundles) permission (part of C(secret-family)) in addition to
    C(manage secrets) on the compartment.
seealso:
  - module: scanops.qualys.oci_qualys_secret_info
  - module: scanops.qualys.oci_qualys_scan_recipe
'''

EXAMPLES = r'''
- name: Store the Qualys agent license for the Compute scan recipe
  scanops.qualys.oci_qualys_secret:
    compartment_id: "{{ compartment_ocid }}"
    vault_id: "{{ vault_ocid }}"
    key_id: "{{ master_key_ocid }}"
    name: qualys-agent-license
    description: Qualys cloud agent license for VSS
    license:
      cid: "{{ qualys_customer_id }}"
      aid: "{{ qualys_activation_id }}"
      pws_url: https://qagpublic.qg2.apps.qualys.com
      pws_port: 443
  register: license_secret

- name: The same license pasted from the OCI Console's Base64 template (no new version)
  scanops.qualys.oci_qualys_secret:
    compartment_id: "{{ compartment_ocid }}"
    vault_id: "{{ vault_ocid }}"
    key_id: "{{ master_key_ocid }}"
    name: qualys-agent-license
    content: "{{ qualys_license_base64 }}"
    content_format: base64

- name: Hand the API user's credentials to a connector
  scanops.qualys.oci_qualys_secret:
    compartment_id: "{{ compartment_ocid }}"
    vault_id: "{{ vault_ocid }}"
    key_id: "{{ master_key_ocid }}"
    name: qualys-api-user
    credentials:
      login: "{{ api_user.login }}"
      password: "{{ api_user.password }}"
      api_url: https://qualysapi.qg2.apps.qualys.com

- name: Keep using a secret whose deletion someone scheduled (cancels the deletion)
  scanops.qualys.oci_qualys_secret:
    compartment_id: "{{ compartment_ocid }}"
    vault_id: "{{ vault_ocid }}"
    key_id: "{{ master_key_ocid }}"
    name: qualys-api-user
    credentials: "{{ connector_credentials }}"
    cancel_deletion: true

- name: Two-phase rotation, step 1 - store the new password as a PENDING version (CURRENT stays as it is)
  scanops.qualys.oci_qualys_secret:
    compartment_id: "{{ compartment_ocid }}"
    vault_id: "{{ vault_ocid }}"
    name: qualys-api-user
    credentials: "{{ new_credentials }}"
    stage: pending
    if_version_number: "{{ stored.secrets[0].current_version_number }}"   # read at the start of the run
  register: pending
  no_log: true

# ... change the password on the target system, authenticating with the CURRENT one ...

- name: Two-phase rotation, step 2 - promote the PENDING version, only if it still holds the new password
  scanops.qualys.oci_qualys_secret:
    compartment_id: "{{ compartment_ocid }}"
    vault_id: "{{ vault_ocid }}"
    name: qualys-api-user
    credentials: "{{ new_credentials }}"
    promote_pending: true
    if_version_number: "{{ stored.secrets[0].current_version_number }}"
  no_log: true

- name: Schedule the deletion of the secret in 7 days
  scanops.qualys.oci_qualys_secret:
    compartment_id: "{{ compartment_ocid }}"
    vault_id: "{{ vault_ocid }}"
    name: qualys-api-user
    state: absent
    deletion_days: 7
'''

RETURN = r'''
secret:
  description:
    - The secret after the run (predicted in check mode); empty when O(state=absent) found no secret.
    - Never contains the content.
  returned: always
  type: dict
  contains:
    id:
      description: OCID of the secret (absent for a secret that check mode would create).
      type: str
      sample: ocid1.vaultsecret.oc1.iad.amaaaaaaexample
    name:
      description: Name of the secret.
      type: str
      sample: qualys-agent-license
    compartment_id:
      description: OCID of its compartment.
      type: str
    vault_id:
      description: OCID of its vault.
      type: str
    key_id:
      description: OCID of the master encryption key.
      type: str
    description:
      description: Its description.
      type: str
    lifecycle_state:
      description: Lifecycle state, for example C(ACTIVE) or C(PENDING_DELETION).
      type: str
      sample: ACTIVE
    current_version_number:
      description: Number of the CURRENT version.
      type: int
      sample: 2
    pending_version_number:
      description: Number of the PENDING version, or V(null) when there is none.
      type: int
      returned: with O(stage=pending) or O(promote_pending=true)
      sample: 3
    pending_content_sha256:
      description: Like RV(secret.content_sha256), of the PENDING content; V(null) when there is no PENDING version.
      type: str
      returned: with O(stage=pending) or O(promote_pending=true)
    content_sha256:
      description:
        - First 16 hex digits of the sha256 of the CURRENT content (JSON in canonical form, with sorted keys and no whitespace).
        - Lets you compare content between runs and systems without seeing it.
      type: str
      sample: 3f1c0b2a9d8e7f60
    freeform_tags:
      description: Free-form tags.
      type: dict
    defined_tags:
      description: Defined tags.
      type: dict
    time_created:
      description: When it was created (ISO 8601).
      type: str
    time_of_deletion:
      description: When OCI deletes it, for a secret pending deletion (ISO 8601).
      type: str
created:
  description: Whether the secret was (or, in check mode, would be) created.
  returned: always
  type: bool
version_created:
  description: Whether a new secret version with new content was (or would be) written.
  returned: always
  type: bool
promoted:
  description: Whether the PENDING version was (or would be) made CURRENT, with O(promote_pending=true).
  returned: always
  type: bool
pending_version_number:
  description:
    - Number of the PENDING version after the run (predicted in check mode), or V(null) when there is none.
    - With O(stage=pending), the version that holds the content given, unless that content equals the CURRENT content.
  returned: with O(stage=pending) or O(promote_pending=true)
  type: int
  sample: 3
deletion_scheduled:
  description: Whether the deletion was (or would be) scheduled.
  returned: always
  type: bool
deletion_cancelled:
  description: Whether the scheduled deletion of the secret was (or would be) cancelled, with O(cancel_deletion=true).
  returned: always
  type: bool
'''

from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import (
    OciError,
    check_ocid,
    merge_defined_tags,
    oci_argument_spec,
    tags_differ,
)
from ansible_collections.scanops.qualys.plugins.module_utils.oci_ids import secret_name_problem
from ansible_collections.scanops.qualys.plugins.module_utils.oci_module import OciResourceModule
from ansible_collections.scanops.qualys.plugins.module_utils.oci_secrets import (
    SECRET_DELETION_STATES,
    SECRET_SETTLED_STATES,
    SECRET_TRANSITIONAL_STATES,
    OciSecrets,
    secret_result,
)


def argument_spec():
    """The module's options with the shared OCI ones (doc_fragments/oci.py)."""
    spec = oci_argument_spec()
    spec.update(
        compartment_id=dict(type='str', required=True),
        vault_id=dict(type='str', required=True),
        key_id=dict(type='str'),
        name=dict(type='str', required=True),
        description=dict(type='str'),
        freeform_tags=dict(type='dict'),
        defined_tags=dict(type='dict'),
        license=dict(type='dict', no_log=True, options=dict(
            cid=dict(type='str', required=True),
            aid=dict(type='str', required=True),
            pws_url=dict(type='str', required=True),
            pws_port=dict(type='raw', required=True),
        )),
        credentials=dict(type='dict', no_log=True),
        content=dict(type='str', no_log=True),
        content_format=dict(type='str', default='auto', choices=['auto', 'plain', 'base64']),
        content_kind=dict(type='str', default='any', choices=['any', 'license']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        cancel_deletion=dict(type='bool', default=False),
        deletion_days=dict(type='int', default=30),
        stage=dict(type='str', default='current', choices=['current', 'pending']),
        promote_pending=dict(type='bool', default=False),
        if_version_number=dict(type='int'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=300),
    )
    return spec


def validate(params):
    """All input checks; raises OciError or ContentError before any OCI call."""
    check_ocid(params['compartment_id'], 'compartment_id', ('compartment', 'tenancy'))
    check_ocid(params['vault_id'], 'vault_id', ('vault',))
    check_ocid(params.get('key_id'), 'key_id', ('key',))
    problem = secret_name_problem(params['name'])
    if problem:
        raise OciError(problem)
    if not 1 <= params['deletion_days'] <= 30:
        raise OciError('deletion_days must be between 1 and 30 (OCI keeps a secret pending deletion that long), '
                       'got %d' % params['deletion_days'])
    if params['wait_timeout'] < 0:
        raise OciError('wait_timeout must be 0 or more seconds')
    expected = params.get('if_version_number')
    if expected is not None and expected < 0:
        raise OciError('if_version_number must be 0 (no secret yet) or a version number, got %d' % expected)
    if params['state'] == 'absent':
        for option, used in (('stage=pending', params['stage'] == 'pending'),
                             ('promote_pending', params['promote_pending']),
                             ('if_version_number', expected is not None)):
            if used:
                raise OciError('%s applies to state=present only' % option)
        return None
    if params['stage'] == 'pending' and params['promote_pending']:
        raise OciError('stage=pending and promote_pending are mutually exclusive: store the PENDING version in one '
                       'task and promote it in a later one')
    desired = sc.desired_content(params)
    if desired is None and not params['promote_pending']:
        raise OciError('state is present but none of license, content, credentials is given (only promote_pending=true '
                       'may go without content)')
    return desired


def changed_since_read(name, found, expected):
    """The failure of a conditional write whose secret changed since the caller (or this run) read it."""
    return OciError('secret %s: the secret changed since it was read (version %s, expected %s): another run stored a '
                    'password; re-run. Nothing was written.' % (name, found, expected), kind='state')


def diff_view(secret, fingerprint):
    if not secret:
        return {}
    view = dict(
        name=secret.get('secret_name'),
        compartment_id=secret.get('compartment_id'),
        vault_id=secret.get('vault_id'),
        key_id=secret.get('key_id'),
        description=secret.get('description'),
        lifecycle_state=secret.get('lifecycle_state'),
        freeform_tags=secret.get('freeform_tags') or {},
        defined_tags=secret.get('defined_tags') or {},
    )
    if fingerprint is not None:
        view['content_sha256'] = fingerprint
    for key in ('pending_version_number', 'pending_content_sha256'):
        if key in secret:
            view[key] = secret[key]
    return view


class SecretModule(OciResourceModule):
    """One Vault secret: found by name in the vault; its CURRENT content compared semantically.

    Objects are the secret's metadata (SDK field names) plus ``content_sha256``, and with
    ``stage=pending`` or ``promote_pending`` the PENDING version's ``pending_version_number`` and
    ``pending_content_sha256``; the content itself stays in ``wanted`` / ``current_data`` /
    ``pending_data`` and is masked.
    """

    result_key = 'secret'
    # Two runs creating the same secret: OCI refuses the second create (the name is taken).
    recheck_failed_create = True

    def __init__(self):
        super(SecretModule, self).__init__(
            argument_spec(),
            mutually_exclusive=[('license', 'content', 'credentials')],
        )
        self.wanted = None
        self.current_data = None
        self.pending_data = None
        self.latest_version = None
        # Read before the content when the write is to be conditional: the etag (sent as if-match) and the
        # CURRENT version number it goes with.
        self.etag = None
        self.read_version = None
        self.pending_after = None

    @property
    def vault(self):
        return self.service(OciSecrets)

    @property
    def staging(self):
        return self.params['stage'] == 'pending'

    @property
    def promoting(self):
        return bool(self.params['promote_pending'])

    @property
    def reads_versions(self):
        return self.staging or self.promoting

    @property
    def conditional(self):
        return self.reads_versions or self.params.get('if_version_number') is not None

    def keep_content(self, data):
        """Mask content in both forms it could appear in."""
        if data is not None:
            self.keep_secret(sc.to_base64(data))
            self.keep_secret(data.decode('utf-8', 'replace'))

    # -- input -------------------------------------------------------------------------------

    def validate(self):
        try:
            self.wanted = validate(self.params)
        except (OciError, sc.ContentError) as exc:
            self.fail(str(exc))
        self.keep_content(self.wanted)

    # -- reading -----------------------------------------------------------------------------

    def find(self):
        p = self.params
        secret = self.vault.find_secret(p['compartment_id'], p['vault_id'], p['name'])
        if secret is None:
            return None
        secret = self._settled(secret)
        if p['state'] == 'absent':
            return secret
        if p.get('key_id') and secret.get('key_id') and secret['key_id'] != p['key_id']:
            raise OciError(
                'secret %s is encrypted with key %s, not key_id %s; OCI cannot change the key of a secret '
                '(use the current key_id, or delete the secret and create it again)'
                % (p['name'], secret['key_id'], p['key_id']), kind='config')
        pending = secret.get('lifecycle_state') in SECRET_DELETION_STATES
        if pending and not p['cancel_deletion']:
            when = secret.get('time_of_deletion') or 'a date OCI does not give'
            raise OciError(
                'secret %s in vault %s is scheduled for deletion (%s, deleted on %s); it is left as it is. Set '
                'cancel_deletion: true to cancel the deletion and keep using it, or use another name.'
                % (p['name'], p['vault_id'], secret.get('lifecycle_state'), when), kind='state')
        if self.conditional:
            # The etag first, then the content: a write made between the two makes the if-match fail.
            secret, self.etag = self.vault.get_secret_and_etag(secret['id'])
            self.read_version = secret.get('current_version_number')
        data, version, stages = self._readable(pending, (None, None, None), self.vault.read_bundle, secret['id'])
        self.keep_content(data)
        self.current_data = data
        found = dict(secret, content_sha256=sc.fingerprint(data))
        if version is not None:
            found['current_version_number'] = version
        if self.reads_versions:
            found.update(self._find_pending(secret['id'], pending, version, stages))
        return found

    def _find_pending(self, secret_id, pending_deletion, version, stages):
        """The PENDING version newer than CURRENT: its number and fingerprint (content kept in pending_data)."""
        if stages is not None and 'LATEST' in stages:
            # CURRENT is the newest version: no PENDING one after it, and nothing more to read.
            self.latest_version = version
            pending_data = pending_version = None
        else:
            versions = self.vault.list_versions(secret_id)
            self.latest_version = versions[0].get('version_number') if versions else None
            pending_data, pending_version = self._readable(pending_deletion, (None, None), self.vault.read_pending,
                                                           secret_id, versions)
        self.keep_content(pending_data)
        self.pending_data = pending_data
        return dict(pending_version_number=pending_version, pending_content_sha256=sc.fingerprint(pending_data))

    @staticmethod
    def _readable(pending_deletion, nothing, read, *args):
        """``read(*args)``; ``nothing`` when a secret pending deletion refuses the read."""
        try:
            return read(*args)
        except OciError as exc:
            # A secret pending deletion may refuse reads; it gets a new version after the restore.
            if not pending_deletion or exc.status is None or exc.status >= 500:
                raise
            return nothing

    def _settled(self, secret):
        """The secret once out of a transitional state (bounded by wait_timeout), or a clear failure."""
        state = secret.get('lifecycle_state')
        if state not in SECRET_TRANSITIONAL_STATES:
            return secret
        if not self.params['wait']:
            raise OciError('secret %s is %s: another change to it is in progress. Run again later, or set wait=true to '
                           'wait up to wait_timeout seconds for it to settle.' % (self.params['name'], state), kind='state')
        return self.vault.wait_secret(secret['id'], SECRET_SETTLED_STATES, self.params['wait_timeout'])

    # -- desired state -----------------------------------------------------------------------

    def desired(self, current):
        p = self.params
        fingerprint = sc.fingerprint(self.wanted)
        if current is None:
            return dict(
                id=None, secret_name=p['name'], compartment_id=p['compartment_id'], vault_id=p['vault_id'],
                key_id=p['key_id'], description=p.get('description'), lifecycle_state='ACTIVE',
                freeform_tags=p.get('freeform_tags'), defined_tags=p.get('defined_tags'),
                content_sha256=fingerprint, current_version_number=1,
            )
        return dict(content_sha256=fingerprint)

    def compare(self, current, desired):
        p = self.params
        if self.promoting:
            changes = self._promotion(current)
        elif self.staging:
            changes = self._pending_store(current)
        else:
            changes = {}
            if not sc.same_content(self.current_data, self.wanted):
                changes['content_sha256'] = desired['content_sha256']
                if current.get('current_version_number'):
                    changes['current_version_number'] = current['current_version_number'] + 1
        if p.get('description') is not None and p['description'] != (current.get('description') or ''):
            changes['description'] = p['description']
        if tags_differ(current.get('freeform_tags'), p.get('freeform_tags')):
            changes['freeform_tags'] = p['freeform_tags']
        if tags_differ(current.get('defined_tags'), p.get('defined_tags'), defined=True):
            changes['defined_tags'] = merge_defined_tags(current.get('defined_tags'), p['defined_tags'])
        if current.get('lifecycle_state') in SECRET_DELETION_STATES:
            changes['lifecycle_state'] = 'ACTIVE'  # cancel_deletion=true, or find() refused
        if changes:
            self._check_expected_version(current)
        self.pending_after = changes.get('pending_version_number', current.get('pending_version_number'))
        return changes

    def _pending_store(self, current):
        """stage=pending: a new PENDING version unless the content is CURRENT or PENDING already."""
        if sc.same_content(self.current_data, self.wanted) or sc.same_content(self.pending_data, self.wanted):
            return {}
        latest = self.latest_version or current.get('current_version_number') or 0
        return dict(pending_content_sha256=sc.fingerprint(self.wanted), pending_version_number=latest + 1)

    def _promotion(self, current):
        """promote_pending: the PENDING version becomes CURRENT, if it holds the content given (if any)."""
        name = self.params['name']
        number = current.get('pending_version_number')
        if number is not None and (self.wanted is None or sc.same_content(self.pending_data, self.wanted)):
            return dict(current_version_number=number, content_sha256=current.get('pending_content_sha256'),
                        pending_version_number=None, pending_content_sha256=None)
        if self.wanted is not None and sc.same_content(self.current_data, self.wanted):
            return {}  # promoted already (by this run's earlier attempt, or another run)
        if number is not None:
            raise OciError('promote_pending: the PENDING version %s of secret %s holds other content than the content '
                           'given (another run may have stored a newer PENDING version); nothing was promoted'
                           % (number, name), kind='state')
        if self.wanted is None:
            raise OciError('promote_pending: secret %s has no PENDING version to promote' % name, kind='state')
        raise OciError('promote_pending: secret %s has no PENDING version to promote, and its CURRENT content differs '
                       'from the content given; nothing was changed. Store the content with stage=pending first, or '
                       'with stage=current to replace the CURRENT content.' % name, kind='state')

    def _check_expected_version(self, current):
        """if_version_number: refuse any write unless the CURRENT version is the one the caller read."""
        expected = self.params.get('if_version_number')
        if expected is None:
            return
        seen = [v for v in (self.read_version, current.get('current_version_number')) if v is not None]
        if current.get('id') is None or not seen:
            return
        mismatch = [v for v in seen if v != expected]
        if mismatch:
            raise changed_since_read(self.params['name'], mismatch[-1], expected)

    def view(self, obj):
        result = secret_result(obj, obj.get('content_sha256'))
        if result:
            for key in ('pending_version_number', 'pending_content_sha256'):
                if key in obj:
                    result[key] = obj[key]
        return result

    def diff_view(self, obj):
        return diff_view(obj, obj.get('content_sha256'))

    def extra_result(self):
        changes = self.changes or {}
        promoted = self.promoting and 'current_version_number' in changes
        staged = self.staging and changes.get('pending_content_sha256') is not None
        written = not self.reads_versions and 'content_sha256' in changes
        result = dict(created=self.created, version_created=self.created or staged or written, promoted=promoted,
                      deletion_scheduled=self.deleted, deletion_cancelled='lifecycle_state' in changes)
        if self.reads_versions:
            result['pending_version_number'] = self.pending_after
        return result

    # -- writing -----------------------------------------------------------------------------

    def check_create(self, desired):
        p = self.params
        if self.staging:
            raise OciError('stage=pending needs an existing secret, and secret %s does not exist in vault %s: OCI '
                           'creates a secret with a CURRENT version only; store it with stage=current first'
                           % (p['name'], p['vault_id']), kind='state')
        if self.promoting:
            raise OciError('promote_pending: secret %s does not exist in vault %s; nothing to promote'
                           % (p['name'], p['vault_id']), kind='state')
        if p.get('if_version_number'):
            raise OciError('secret %s: the secret changed since it was read (it does not exist, expected version %s): '
                           'another run changed it; re-run. Nothing was written.' % (p['name'], p['if_version_number']),
                           kind='state')
        if not p.get('key_id'):
            raise OciError('key_id is required to create secret %s (the master encryption key of vault_id)' % p['name'],
                           kind='config')
        self.vault.check_key(p['vault_id'], p['key_id'])

    def planned_create(self, desired):
        return desired

    def create(self, desired):
        p = self.params
        created = self.vault.create_secret(
            p['compartment_id'], p['vault_id'], p['key_id'], p['name'], self.wanted,
            description=p.get('description'), freeform_tags=p.get('freeform_tags'), defined_tags=p.get('defined_tags'))
        if p['wait']:
            created = self.vault.wait_secret(created['id'], ('ACTIVE',), p['wait_timeout'])
        return dict(created, content_sha256=desired['content_sha256'])

    def update(self, current, changes):
        p = self.params
        secret_id = current['id']
        timeout = p['wait_timeout']
        if 'lifecycle_state' in changes:
            if current.get('lifecycle_state') != 'PENDING_DELETION':
                self.vault.wait_secret(secret_id, ('PENDING_DELETION',), timeout)
            self.vault.cancel_secret_deletion(secret_id)
            self.module.warn('The scheduled deletion of secret %s was cancelled (cancel_deletion=true).' % p['name'])
            self.vault.wait_secret(secret_id, ('ACTIVE',), timeout)
            if self.etag:
                # This run's own cancel changed the etag: take the new one if nothing else changed.
                fresh, self.etag = self.vault.get_secret_and_etag(secret_id)
                if fresh.get('current_version_number') != self.read_version:
                    raise changed_since_read(p['name'], fresh.get('current_version_number'), self.read_version)
        elif current.get('lifecycle_state') != 'ACTIVE':
            self.vault.wait_secret(secret_id, ('ACTIVE',), timeout)
        updates = dict((key, changes[key]) for key in ('description', 'freeform_tags', 'defined_tags') if key in changes)
        try:
            self._write(secret_id, changes, updates)
        except OciError as exc:
            if exc.status != 412:
                raise
            found = self.vault.get_secret(secret_id).get('current_version_number')
            expected = p.get('if_version_number')
            raise changed_since_read(p['name'], found, self.read_version if expected is None else expected)
        if p['wait']:
            final = self.vault.wait_secret(secret_id, ('ACTIVE',), timeout)
        else:
            final = self.vault.get_secret(secret_id)
        final = dict(final, content_sha256=changes.get('content_sha256', current.get('content_sha256')))
        if self.reads_versions:
            final.update(pending_version_number=changes.get('pending_version_number', current.get('pending_version_number')),
                         pending_content_sha256=changes.get('pending_content_sha256', current.get('pending_content_sha256')))
        if self.staging and changes.get('pending_content_sha256') is not None:
            final['pending_version_number'] = self.pending_after = self._stored_pending(secret_id)
        return final

    def _write(self, secret_id, changes, updates):
        """The one PUT of this run (content, promotion or metadata), if-match the etag read at the start."""
        if self.promoting and 'current_version_number' in changes:
            self.vault.promote_version(secret_id, changes['current_version_number'], if_match=self.etag, **updates)
        elif self.staging and changes.get('pending_content_sha256') is not None:
            self.vault.update_secret(secret_id, data=self.wanted, stage='PENDING', if_match=self.etag, **updates)
        elif (not self.reads_versions and 'content_sha256' in changes) or updates:
            content = not self.reads_versions and 'content_sha256' in changes
            self.vault.update_secret(secret_id, data=self.wanted if content else None, if_match=self.etag, **updates)

    def _stored_pending(self, secret_id):
        """The number of the PENDING version just stored; fail if another run's already replaced it."""
        data, number = self.vault.read_pending(secret_id)
        self.keep_content(data)
        if not sc.same_content(data, self.wanted):
            raise OciError('secret %s: another run stored a newer PENDING version (%s) right after this one; do not '
                           'use the content of this run. Re-run.' % (self.params['name'], number), kind='state')
        return number

    def is_gone(self, obj):
        return obj.get('lifecycle_state') in SECRET_DELETION_STATES

    def planned_delete(self, current):
        return dict(current, lifecycle_state='PENDING_DELETION')

    def delete(self, current):
        p = self.params
        if current.get('lifecycle_state') != 'ACTIVE':
            self.vault.wait_secret(current['id'], ('ACTIVE',), p['wait_timeout'])
        self.vault.schedule_secret_deletion(current['id'], p['deletion_days'])
        if p['wait']:
            return self.vault.wait_secret(current['id'], ('PENDING_DELETION',), p['wait_timeout'])
        return self.vault.get_secret(current['id'])


def main():
    module = SecretModule()
    module.execute(module.run)


if __name__ == '__main__':
    main()
