# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Base for Qualys modules: shared options, read -> compare -> write,
check mode, diff and secret masking, written once.

A resource module subclasses ``QualysResourceModule`` and says only how to
find its object, what the user asked for, and how to create/update/delete;
``run()`` does the rest. Read-only ``*_info`` modules use ``QualysModule``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import (
    QUALYS_AUTH_ARGSPEC,
    QUALYS_AUTH_OPTIONS,
    QualysClient,
    resolve_connection,
)
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError


def qualys_argument_spec(**module_spec):
    """The shared connection options merged with a module's own."""
    spec = copy.deepcopy(QUALYS_AUTH_ARGSPEC)
    spec.update(module_spec)
    return spec


class QualysModule:
    """An AnsibleModule with a Qualys client and one error path."""

    def __init__(self, argument_spec, supports_check_mode=True, required_together=None,
                 mutually_exclusive=None, **kwargs):
        self.module = AnsibleModule(
            argument_spec=qualys_argument_spec(**argument_spec),
            supports_check_mode=supports_check_mode,
            required_together=required_together,
            mutually_exclusive=list(QUALYS_AUTH_OPTIONS["mutually_exclusive"]) + list(mutually_exclusive or []),
            **kwargs
        )
        self.params = self.module.params
        self._client = None
        try:
            self.params.update(resolve_connection(self.params))
        except QualysError as exc:
            self.module.fail_json(msg=str(exc), **exc.as_result())
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

    @property
    def check_mode(self):
        return self.module.check_mode

    def keep_secret(self, value):
        """Mask a secret learned at run time in every later output."""
        if value:
            self.module.no_log_values.add(value)

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **kwargs)

    def execute(self, run):
        """Call ``run()``; turn a QualysError into fail_json."""
        try:
            result = run()
        except QualysError as exc:
            if self._client is not None:
                self.keep_secret(self._client.token)
            self.module.fail_json(msg=str(exc), **exc.as_result())
        if self._client is not None:
            self.keep_secret(self._client.token)
        self.module.exit_json(**result)


class QualysResourceModule(QualysModule):
    """One Qualys object managed to ``state: present|absent``.

    Subclasses set ``result_key`` and implement:

    - ``find()``: the current object as a dict (``view`` fields), or None;
    - ``desired(current)``: the fields the user asked for (None = leave as is);
    - ``create(desired)`` / ``update(current, changes)`` / ``delete(current)``;
    - optionally ``validate()`` (called before any call) and ``compare()``.

    Objects are plain dicts of comparable, normalised values, so ``changes``
    is exactly the set of fields a real run would send.
    """

    result_key = "object"
    # True where many runs may create the same object at once (one role shared by the service
    # users of parallel forks): a refused create is then followed by one more lookup.
    recheck_failed_create = False

    def validate(self):
        """Check inputs the argument spec cannot express; fail before any call."""

    def find(self):
        raise NotImplementedError

    def desired(self, current):
        raise NotImplementedError

    def create(self, desired):
        raise NotImplementedError

    def update(self, current, changes):
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError

    def compare(self, current, desired):
        """Fields of ``desired`` that differ from ``current``."""
        return dict((key, value) for key, value in desired.items()
                    if value is not None and current.get(key) != value)

    def view(self, obj):
        """What the user sees of an object (result and diff); drop secrets here."""
        return obj

    def run(self):
        self.validate()
        current = self.find()
        if self.params.get("state") == "absent":
            return self._absent(current)
        return self._present(current)

    def _present(self, current):
        desired = self.desired(current)
        if current is None:
            after = dict((k, v) for k, v in desired.items() if v is not None)
            if self.check_mode:
                return self._result(True, None, after)
            try:
                return self._result(True, None, self._create_once(desired))
            except QualysError as exc:
                # Parallel runs (forks converging one shared object) race from the lookup to the
                # create: when another run made the object meanwhile, converge that one.
                # Only a refusal of the request itself can mean that ("already exists"); auth, limit,
                # format and transport errors cannot. (After a lost reply _create_once has looked already.)
                racing = self.recheck_failed_create and exc.kind == "api" and not exc.outcome_unknown
                current = self.find() if racing else None
                if current is None:
                    raise
            self.module.warn("Another run created this object between the lookup and the create: continuing with it.")
            desired = self.desired(current)
        changes = self.compare(current, desired)
        if not changes:
            return self._result(False, current, current)
        after = dict(current)
        after.update(changes)
        if not self.check_mode:
            after = self.update(current, changes) or after
        return self._result(True, current, after)

    def _absent(self, current):
        if current is None:
            return self._result(False, None, None)
        if not self.check_mode:
            self._delete_once(current)
        return self._result(True, current, None)

    def _delete_once(self, current):
        """Delete; if the reply was lost, look whether the object is gone."""
        try:
            self.delete(current)
        except QualysError as exc:
            if not exc.outcome_unknown or self.find() is not None:
                raise
            self.module.warn("The reply to the delete call was lost, but the object is gone: continuing.")

    def _create_once(self, desired):
        """Create; if the reply was lost, look before trying again.

        A create is never repeated blindly: if the object now exists the
        lost reply was a success, otherwise the error stands (a re-run of
        the playbook converges).
        """
        try:
            return self.create(desired)
        except QualysError as exc:
            if not exc.outcome_unknown:
                raise
            found = self.find()
            if found is None:
                raise
            self.module.warn("The reply to the create call was lost, but the object exists: continuing with it.")
            return found

    def _result(self, changed, before, after):
        result = dict(changed=changed)
        result[self.result_key] = self.view(after) if after is not None else {}
        if self.module._diff:
            result["diff"] = dict(before=self.view(before) if before is not None else {},
                                  after=self.view(after) if after is not None else {})
        return result
