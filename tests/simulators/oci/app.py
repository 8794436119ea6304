# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OCI services the collection uses, as the ``oci`` SDK sees them: routing, signatures, state, faults.

One port serves:

* Secret management ``/20180608/secrets...`` (VaultsClient): vault_secrets.py,
* Secret retrieval ``/20190301/secretbundles...`` (SecretsClient): secret_bundles.py,
* KMS ``GET /20180608/vaults/{id}`` (KmsVaultClient) and ``/20180608/keys...``
  (KmsManagementClient at the vault's managementEndpoint, which is this server): kms.py,
* Vulnerability Scanning ``/20210215/hostScanRecipes...``: scan_recipes.py.

A request is routed through ROUTES (method and whole path) to a handler of one of those modules. JSON is
camelCase with the polymorphic discriminators the SDK needs; errors are ``{"code", "message"}``; lists page
with ``opc-next-page`` (wire.py). Every request must carry a valid API-key signature (401 NotAuthenticated
otherwise). Objects move through transitional states (CREATING, UPDATING, ...) and settle on the next GET of
the object (``lifecycle_reads``) or after ``settle_seconds`` (lifecycle.py).
"""

import json
import os
import re
import threading
import time
import uuid

from simulators.common import CallInfo, JsonStateFile, Response, ServiceApp

from . import control, kms, scan_recipes, secret_bundles, vault_secrets
from . import fixtures as fx
from .signing import SignatureError, verify_request
from .wire import ApiError, LowerHeaders, error_response, key_id_of

# An id in a path: one segment, whatever it holds (an unknown id answers 404 from the handler).
ID = "([^/]*)"
# (method, whole path without trailing slashes) -> handler(app, request, query, *ids)
ROUTES = tuple((method, re.compile(pattern), handler) for method, pattern, handler in (
    ("GET", "/20180608/secrets", vault_secrets.list_secrets),
    ("POST", "/20180608/secrets", vault_secrets.create_secret),
    ("GET", "/20180608/secrets/" + ID, vault_secrets.get_secret),
    ("PUT", "/20180608/secrets/" + ID, vault_secrets.update_secret),
    ("GET", "/20180608/secrets/%s/versions" % ID, vault_secrets.list_versions),
    ("GET", "/20180608/secrets/%s/version/%s" % (ID, ID), vault_secrets.get_version),
    ("POST", "/20180608/secrets/%s/actions/scheduleDeletion" % ID, vault_secrets.schedule_deletion),
    ("POST", "/20180608/secrets/%s/actions/cancelDeletion" % ID, vault_secrets.cancel_deletion),
    ("POST", "/20190301/secretbundles/actions/getByName", secret_bundles.get_bundle_by_name),
    ("GET", "/20190301/secretbundles/" + ID, secret_bundles.get_bundle),
    ("GET", "/20190301/secretbundles/%s/versions" % ID, secret_bundles.list_bundle_versions),
    ("GET", "/20180608/vaults/" + ID, kms.get_vault),
    ("GET", "/20180608/keys", kms.list_keys),
    ("GET", "/20180608/keys/" + ID, kms.get_key),
    ("GET", "/20210215/hostScanRecipes", scan_recipes.list_recipes),
    ("POST", "/20210215/hostScanRecipes", scan_recipes.create_recipe),
    ("GET", "/20210215/hostScanRecipes/" + ID, scan_recipes.get_recipe),
    ("PUT", "/20210215/hostScanRecipes/" + ID, scan_recipes.update_recipe),
    ("DELETE", "/20210215/hostScanRecipes/" + ID, scan_recipes.delete_recipe),
))
# What a path that no route takes answers, by the API it is under (first match); any other path is
# 404 "No such API path".
UNSUPPORTED = tuple((re.compile(pattern), status, code) for pattern, status, code in (
    ("/20180608/secrets", 404, "NotFound"),
    ("/20180608/secrets/.*", 405, "NotAllowed"),
    ("/20190301/secretbundles(/.*)?", 404, "NotFound"),
    ("/20210215/hostScanRecipes(/.*)?", 404, "NotFound"),
))
FAULT_ERRORS = {
    "429": (429, "TooManyRequests", "Too many requests for the tenancy."),
    "500": (500, "InternalServerError", "Internal server error."),
    "503": (503, "ServiceUnavailable", "Service is unavailable."),
    "401": (401, "NotAuthenticated", "The required information to complete authentication was not provided."),
    "404": (404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found."),
    "409": (409, "IncorrectState", "The resource is in a conflicting state."),
}


def route(request):
    """(handler, ids) of the request, or the ApiError its path answers."""
    path = request.path.rstrip("/")
    for method, pattern, handler in ROUTES:
        match = pattern.fullmatch(path)
        if match and method == request.method:
            return handler, match.groups()
    for pattern, status, code in UNSUPPORTED:
        if pattern.fullmatch(path):
            raise ApiError(status, code, "Unsupported request.")
    raise ApiError(404, "NotFound", "No such API path: %s %s" % (request.method, request.path))


class OciApp(ServiceApp):
    """OCI simulator (see README.md); the handlers of the resource modules reach it as ``app``: ``state``,
    ``config``, ``fixtures``, ``scheme``, ``save()``, ``new_ocid()``."""

    name = "oci"
    extra_fault_kinds = ("401", "404", "409")

    def __init__(self, state_dir, region=fx.DEFAULT_REGION, scheme="https", extra_public_keys=()):
        super().__init__()
        self.state_dir = os.path.abspath(state_dir)
        self.scheme = scheme
        self.fixtures = fx.ensure_fixtures(self.state_dir, region)
        self.lock = threading.RLock()
        self.keys = {}
        self._register(fx.load_public_key(self.fixtures["public_key_path"]))
        for path in extra_public_keys:
            self._register(fx.load_public_key(path))
        self.store = JsonStateFile(os.path.join(self.state_dir, "state.json"))
        self.state = self.store.load(None) or self._empty_state()
        self._ensure_fixture_objects()

    # ------------------------------------------------------------ plumbing
    def _register(self, public_key):
        self.keys[fx.fingerprint_of(public_key)] = public_key

    def _lookup_key(self, tenancy, user, fingerprint):
        if tenancy != self.fixtures["tenancy_id"] or user != self.fixtures["user_id"]:
            return None
        return self.keys.get(fingerprint)

    def default_config(self):
        return {
            "lifecycle_reads": 0,      # GETs that still show a transitional state
            "settle_seconds": 5.0,     # a transitional state settles by itself after this
            "page_size": 50,           # default/maximum page size of list calls
            "verify_signatures": True,
            "max_clock_skew": 300,
        }

    def validate_config(self, key, value):
        if key == "verify_signatures":
            if not isinstance(value, bool):
                raise ValueError("verify_signatures must be true or false")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError("%s must be a number >= 0" % key)
        if key in ("lifecycle_reads", "page_size", "max_clock_skew"):
            value = int(value)
            if key == "page_size" and value < 1:
                raise ValueError("page_size must be >= 1")
        return value

    @staticmethod
    def _empty_state():
        return {"vaults": {}, "keys": {}, "secrets": {}, "recipes": {}, "retry_tokens": {}}

    def _ensure_fixture_objects(self):
        now = time.time()
        f = self.fixtures
        self.state["vaults"].setdefault(f["vault_id"], {
            "id": f["vault_id"], "compartmentId": f["compartment_id"], "displayName": "scanops-sim-vault",
            "vaultType": "DEFAULT", "lifecycleState": "ACTIVE", "timeCreated": now,
        })
        self.state["keys"].setdefault(f["key_id"], {
            "id": f["key_id"], "compartmentId": f["compartment_id"], "vaultId": f["vault_id"],
            "displayName": "scanops-sim-master-key", "lifecycleState": "ENABLED", "protectionMode": "HSM",
            "algorithm": "AES", "length": 32, "timeCreated": now,
        })

    def save(self):
        """Write the state file (after every change)."""
        self.store.save(self.state)

    def dump_state(self):
        with self.lock:
            return json.loads(json.dumps(self.state))

    def reset_state(self):
        with self.lock:
            self.state = self._empty_state()
            self._ensure_fixture_objects()
            self.save()

    def secrets(self):
        with self.lock:
            return vault_secrets.leak_values(self.state)

    def close(self):
        with self.lock:
            self.save()

    def new_ocid(self, kind):
        return "ocid1.%s.%s.%s.amaaaaaa%s" % (kind, fx.REALM, fx.region_key(self.fixtures["region"]), uuid.uuid4().hex)

    # ------------------------------------------------------------ classify
    def classify(self, request):
        path = request.path
        kind = "read" if request.method in ("GET", "HEAD") else "write"
        if request.method == "POST" and path.endswith("/secretbundles/actions/getByName"):
            kind = "read"
        parts = ["{id}" if p.startswith("ocid1.") else ("{n}" if p.isdigit() else p) for p in path.split("/")]
        call = CallInfo(request, "/".join(parts), None, kind, None)
        if request.method in ("PUT", "POST") and request.body:
            # Names only, never values: the JSON body's top-level fields, so tests can see what a write sent.
            try:
                body = request.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                call.params = sorted(set(call.params) | set(body))
        if request.header("if-match"):
            call.params = sorted(set(call.params) | {"header:if-match"})
        key_id = key_id_of(request.header("Authorization", ""))
        if key_id and key_id.count("/") == 2:
            call.user = key_id.split("/")[1]
        return call

    def fault_response(self, kind, request, call):
        if kind not in FAULT_ERRORS:
            return None
        return error_response(ApiError(*FAULT_ERRORS[kind]))

    def control(self, request, subpath):
        handler = control.ROUTES.get((request.method, subpath))
        return handler(self, request) if handler else None

    # ------------------------------------------------------------ handle
    def handle(self, request, call):
        request_id = uuid.uuid4().hex.upper()
        try:
            if self.config.get("verify_signatures", True):
                headers = LowerHeaders(request.headers)
                try:
                    verify_request(request.method, request.target, headers, request.body, self._lookup_key,
                                   max_skew=self.config.get("max_clock_skew", 300))
                except SignatureError as exc:
                    raise ApiError(401, "NotAuthenticated", str(exc))
            with self.lock:
                handler, ids = route(request)
                result = handler(self, request, request.query(), *ids)
        except ApiError as exc:
            return error_response(exc, request_id)
        status, data, headers = result
        headers = dict(headers or {})
        headers["opc-request-id"] = request_id
        if data is None:
            return Response(status, b"", None, headers)
        return Response(status, json.dumps(data), "application/json", headers)
