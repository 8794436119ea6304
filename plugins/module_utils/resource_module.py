# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The service-neutral base of every module of the collection, written once.

``ServiceModule`` wraps AnsibleModule: argument spec, check mode, secret
masking (``keep_secret``) and one way to end a run (``execute``), with one
vocabulary for failures (``error_result``). ``ResourceModule`` adds the
read -> compare -> write cycle of one object managed to ``state:
present|absent``: check mode, diff, lost replies and runs racing on the same
object.

Neither knows a service. A connection mix-in supplies the options, the
connection and the exception type of its service:
``qualys_module.QualysConnection`` and ``oci_module.OciConnection``. A module
file then subclasses ``QualysResourceModule`` / ``OciResourceModule`` (or the
read-only ``QualysModule`` / ``OciModule``) and says only how to find its
object, what the user asked for and how to write it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule


def error_result(kind=None, code=None, status=None, request_id=None):
    """The fields a failed run returns besides ``msg``, for every service.

    error_kind: what went wrong, e.g. config, dependency, tls, timeout,
    transport, auth, limit, not_found, ambiguous, state, api, format.
    error_code: the service's code (Qualys CODE 1905, OCI NotAuthenticated).
    http_status: the HTTP status of the reply, when there was one.
    request_id: the service's id of the request (OCI opc-request-id), for support.
    """
    result = {}
    if kind:
        result["error_kind"] = kind
    if code is not None:
        result["error_code"] = str(code)
    if status is not None:
        result["http_status"] = status
    if request_id:
        result["request_id"] = request_id
    return result


def field_changes(before, after):
    """``[{field, before, after}]`` for the fields that differ between two views (a new object: its set fields)."""
    changes = []
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old == new or (not before and new in (None, "", [], {})):
            continue
        changes.append(dict(field=field, before=old, after=new))
    return changes


def failure_fields(exc):
    """``error_result`` of a service exception (its own ``as_result()`` when it has one)."""
    as_result = getattr(exc, "as_result", None)
    if callable(as_result):
        return as_result()
    return error_result(getattr(exc, "kind", None), getattr(exc, "code", None), getattr(exc, "status", None),
                        getattr(exc, "request_id", None))


class ServiceModule:
    """An AnsibleModule with a service connection and one error path.

    The connection mix-in in front of this class in the MRO provides:

    - ``error_types``: the exception type(s) its service layer raises;
    - ``connection_argument_spec()`` and ``connection_mutually_exclusive()``;
    - ``connect()``: called once the parameters are parsed (resolve settings,
      check them, mask secrets from the environment); fail here, before any call;
    - ``before_exit()``: mask what the connection learned (e.g. a token).
    """

    error_types = ()

    def __init__(self, argument_spec, supports_check_mode=True, mutually_exclusive=None, **kwargs):
        spec = self.connection_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(
            argument_spec=spec,
            supports_check_mode=supports_check_mode,
            mutually_exclusive=list(self.connection_mutually_exclusive()) + list(mutually_exclusive or []),
            **kwargs
        )
        self.params = self.module.params
        self.connect()

    # -- connection hooks (the mix-in's) -----------------------------------------------------

    def connection_argument_spec(self):
        return {}

    def connection_mutually_exclusive(self):
        return ()

    def connect(self):
        """Resolve and check the connection settings; no call yet."""

    def before_exit(self):
        """Mask secrets the connection learned during the run."""

    # -- one way in, one way out ---------------------------------------------------------------

    @property
    def check_mode(self):
        return self.module.check_mode

    def keep_secret(self, value):
        """Mask a secret learned at run time in every later output."""
        if value:
            self.module.no_log_values.add(value)

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **kwargs)

    def fail_for(self, exc):
        """Fail with a service exception: its message and the ``error_result`` fields."""
        self.module.fail_json(msg=str(exc), **failure_fields(exc))

    def execute(self, run):
        """Call ``run()``; exit with its result, or fail with the service's exception."""
        try:
            result = run()
        except self.error_types as exc:
            self.before_exit()
            self.fail_for(exc)
        self.before_exit()
        self.module.exit_json(**result)


class ResourceModule(ServiceModule):
    """One object managed to ``state: present|absent``.

    Subclasses set ``result_key`` and implement:

    - ``find()``: the current object as a dict, or None;
    - ``desired(current)``: the fields the user asked for (None = leave as is);
    - ``create(desired)`` / ``update(current, changes)`` / ``delete(current)``;
    - optionally ``validate()`` (called before any call), ``compare()``,
      ``view()`` (result) and ``diff_view()`` (diff, ``view()`` by default).

    Objects are plain dicts of comparable, normalised values, so ``changes``
    is exactly the set of fields a real run would send.

    Optional hooks, for what some objects need:

    - ``check_create(desired)``: reads a create depends on, also run in check mode;
    - ``check_update(current, changes)``: the same for an update;
    - ``planned_create(desired)``: what check mode reports for a create;
    - ``planned_delete(current)`` / ``is_gone(obj)``: for objects that linger
      after a delete (a secret pending deletion);
    - ``recheck_failed_create`` and ``refused_by_race(exc)``: after a refused
      create, look once more (another run may have made the object meanwhile);
    - ``recheck_created(created, desired)``: after a create, look for a
      duplicate another run made at the same time, and converge;
    - ``recover_lost_create(desired)``: after a create whose reply was lost,
      the object if the create happened (default: ``find()``);
    - ``after_write(before, after)``: a last step of every present run, check
      mode included (``before`` None for a create): what the object holds
      besides its fields (a user's password); returns True when it changed
      (or, in check mode, would change) something.

    After a run, ``created``, ``changes`` (of an existing object) and
    ``deleted`` say what happened; ``extra_result()`` adds module-specific keys.
    """

    result_key = "object"
    # True where many runs may create the same object at once (one role shared by the service
    # users of parallel forks): a refused create is then followed by one more lookup.
    recheck_failed_create = False

    created = False
    changes = None
    deleted = False

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
        """Delete; may return what remains of the object (None: it is gone)."""
        raise NotImplementedError

    def compare(self, current, desired):
        """Fields of ``desired`` that differ from ``current``."""
        return dict((key, value) for key, value in desired.items()
                    if value is not None and current.get(key) != value)

    def view(self, obj):
        """What the user sees of an object (result and diff); drop secrets here."""
        return obj

    def diff_view(self, obj):
        return self.view(obj)

    def extra_result(self):
        """Module-specific result keys besides ``changed``, ``result_key`` and ``diff``."""
        return {}

    # -- hooks with defaults -----------------------------------------------------------------------

    def check_create(self, desired):
        """Reads that a create depends on (run in check mode too); fail or raise to refuse."""

    def check_update(self, current, changes):
        """Reads that an update depends on (run in check mode too); fail or raise to refuse."""

    def planned_create(self, desired):
        return dict((k, v) for k, v in desired.items() if v is not None)

    def recover_lost_create(self, desired):
        """After a create whose reply was lost: the object if the create happened, else None."""
        return self.find()

    def after_write(self, before, after):
        """A last step of every present run (``before`` None for a create); True when it changed something."""
        return False

    def planned_delete(self, current):
        return None

    def is_gone(self, obj):
        """True for an object that exists but counts as absent (e.g. pending deletion)."""
        return False

    def refused_by_race(self, exc):
        """Whether a refused create may mean that another run created the object meanwhile.

        Only a refusal of the request itself can mean that ("already exists"); auth, limit,
        format and transport errors cannot. (After a lost reply _create_once has looked already.)
        """
        return getattr(exc, "kind", None) == "api" and not getattr(exc, "outcome_unknown", False)

    def recheck_created(self, created, desired):
        """After a create: the object to keep (converge a duplicate made by another run here)."""
        return created

    # -- the cycle -----------------------------------------------------------------------------------

    def run(self):
        self.validate()
        current = self.find()
        if self.params.get("state") == "absent":
            return self._absent(current)
        return self._present(current)

    def _present(self, current):
        desired = self.desired(current)
        if current is None:
            self.check_create(desired)
            if self.check_mode:
                self.created = True
                planned = self.planned_create(desired)
                self.after_write(None, planned)
                return self._result(True, None, planned)
            try:
                created = self._create_once(desired)
            except self.error_types as exc:
                # Parallel runs (forks converging one shared object) race from the lookup to the
                # create: when another run made the object meanwhile, converge that one.
                current = self.find() if self.recheck_failed_create and self.refused_by_race(exc) else None
                if current is None:
                    raise
            else:
                self.created = True
                after = self.recheck_created(created, desired)
                self.after_write(None, after)
                return self._result(True, None, after)
            self.module.warn("Another run created this object between the lookup and the create: continuing with it.")
            desired = self.desired(current)
        changes = self.compare(current, desired)
        self.changes = changes
        after = dict(current)
        if changes:
            self.check_update(current, changes)
            after.update(changes)
            if not self.check_mode:
                after = self.update(current, changes) or after
        changed = self.after_write(current, after)
        return self._result(bool(changes) or bool(changed), current, after)

    def _absent(self, current):
        if current is None or self.is_gone(current):
            return self._result(False, current, current)
        self.deleted = True
        after = self.planned_delete(current)
        if not self.check_mode:
            after = self._delete_once(current)
        return self._result(True, current, after)

    def _delete_once(self, current):
        """Delete; if the reply was lost, look whether the object is gone."""
        try:
            return self.delete(current)
        except self.error_types as exc:
            if not getattr(exc, "outcome_unknown", False):
                raise
            found = self.find()
            if found is not None and not self.is_gone(found):
                raise
            self.module.warn("The reply to the delete call was lost, but the object is gone: continuing.")
            return found

    def _create_once(self, desired):
        """Create; if the reply was lost, look before trying again.

        A create is never repeated blindly: if the object now exists the
        lost reply was a success, otherwise the error stands (a re-run of
        the playbook converges).
        """
        try:
            return self.create(desired)
        except self.error_types as exc:
            if not getattr(exc, "outcome_unknown", False):
                raise
            found = self.recover_lost_create(desired)
            if found is None:
                raise
            self.module.warn("The reply to the create call was lost, but the object exists: continuing with it.")
            return found

    def _result(self, changed, before, after):
        result = dict(changed=changed)
        result[self.result_key] = self.view(after) if after is not None else {}
        before_view = self.diff_view(before) if before is not None else {}
        after_view = self.diff_view(after) if after is not None else {}
        if self.module._diff:
            result["diff"] = dict(before=before_view, after=after_view)
        # Field by field, without --diff and secret-free (the diff views hold no secret), for reports:
        # a task with no_log hides its diff, not this list.
        result["changes"] = field_changes(before_view, after_view) if changed else []
        result.update(self.extra_result())
        return result
