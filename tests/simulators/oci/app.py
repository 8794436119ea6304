"""The OCI services the collection uses, as the ``oci`` SDK sees them.

One port serves:

* Secret management ``/20180608/secrets...`` (VaultsClient),
* Secret retrieval ``/20190301/secretbundles...`` (SecretsClient),
* KMS ``GET /20180608/vaults/{id}`` (KmsVaultClient) and ``/20180608/keys...``
  (KmsManagementClient at the vault's managementEndpoint, which is this server),
* Vulnerability Scanning ``/20210215/hostScanRecipes...``.

JSON is camelCase with the polymorphic discriminators the SDK needs; errors are
``{"code", "message"}``; lists page with ``opc-next-page``. Every request must
carry a valid API-key signature (401 NotAuthenticated otherwise).
Objects move through transitional states (CREATING, UPDATING, ...) and settle
on the next GET of the object (``lifecycle_reads``) or after ``settle_seconds``.
"""

import base64
import binascii
import datetime
import hashlib
import json
import os
import re
import threading
import time
import uuid

from simulators.common import CallInfo, JsonStateFile, Response, ServiceApp, json_response

from . import fixtures as fx
from .signing import SignatureError, verify_request

MAX_BUNDLE_BYTES = 25 * 1024
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
OCID_RE = re.compile(r"^ocid1\.([a-z0-9]+)\.([a-z0-9]+)\.([a-z0-9-]*)(\.[a-z0-9-]+)?\.([A-Za-z0-9_-]+)$")
SECRET_STATES = ("CREATING", "ACTIVE", "UPDATING", "DELETING", "DELETED", "SCHEDULING_DELETION",
                 "PENDING_DELETION", "CANCELLING_DELETION", "FAILED")
RECIPE_STATES = ("CREATING", "ACTIVE", "UPDATING", "DELETING", "DELETED", "FAILED")
STAGES = ("CURRENT", "PENDING", "LATEST", "PREVIOUS", "DEPRECATED")
DAY = 86400.0


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(what="resource"):
    return ApiError(404, "NotAuthorizedOrNotFound",
                    "Authorization failed or requested %s not found." % what)


def iso(ts):
    if ts is None:
        return None
    dt = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def parse_time(value, field):
    if not isinstance(value, str):
        raise ApiError(400, "InvalidParameter", "%s must be an RFC 3339 date-time." % field)
    try:
        dt = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "InvalidParameter", "%s must be an RFC 3339 date-time." % field)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def check_ocid(value, field, types=None):
    match = OCID_RE.match(value) if isinstance(value, str) else None
    if not match or (types and match.group(1) not in types):
        raise ApiError(400, "InvalidParameter", "%s is not a valid OCID." % field)


def _require(body, *fields):
    missing = [f for f in fields if body.get(f) in (None, "")]
    if missing:
        raise ApiError(400, "MissingParameter", "Missing required parameter(s): %s." % ", ".join(missing))


def _dict_or_none(body, field):
    value = body.get(field)
    if value is not None and not isinstance(value, dict):
        raise ApiError(400, "InvalidParameter", "%s must be an object." % field)
    return value


class OciApp(ServiceApp):
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

    def _save(self):
        self.store.save(self.state)

    def dump_state(self):
        with self.lock:
            return json.loads(json.dumps(self.state))

    def reset_state(self):
        with self.lock:
            self.state = self._empty_state()
            self._ensure_fixture_objects()
            self._save()

    def secrets(self):
        values = []
        with self.lock:
            for secret in self.state["secrets"].values():
                for version in secret["versions"]:
                    values.append(version["content"])
                    raw = base64.b64decode(version["content"])
                    text = raw.decode("utf-8", "replace")
                    values.append(text)
                    try:
                        doc = json.loads(text)
                    except ValueError:
                        doc = None
                    if isinstance(doc, dict):
                        for key, value in doc.items():
                            if isinstance(value, str) and len(value) >= 8 and key not in ("pwsUrl", "api_url", "url"):
                                values.append(value)
        return values

    def close(self):
        with self.lock:
            self._save()

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
        key_id = _key_id_of(request.header("Authorization", ""))
        if key_id and key_id.count("/") == 2:
            call.user = key_id.split("/")[1]
        return call

    def fault_response(self, kind, request, call):
        table = {
            "429": (429, "TooManyRequests", "Too many requests for the tenancy."),
            "500": (500, "InternalServerError", "Internal server error."),
            "503": (503, "ServiceUnavailable", "Service is unavailable."),
            "401": (401, "NotAuthenticated", "The required information to complete authentication was not provided."),
            "404": (404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found."),
            "409": (409, "IncorrectState", "The resource is in a conflicting state."),
        }
        if kind not in table:
            return None
        status, code, message = table[kind]
        return self._error(ApiError(status, code, message))

    def control(self, request, subpath):
        if request.method == "GET" and subpath == "fixtures":
            return json_response(self.fixtures)
        if request.method == "POST" and subpath == "drift":
            return self._drift(request)
        if request.method == "POST" and subpath == "lifecycle":
            return self._lifecycle(request)
        return None

    def _lifecycle(self, request):
        """Put a secret or recipe into a lifecycle state, as another client or the service would.

        Body: ``secret_id``, ``name`` (a secret's) or ``recipe_id``; ``state``; optionally
        ``settle_to`` (the state it moves to by itself), ``reads`` (GETs of the object that still
        show ``state``) and ``seconds`` (after which it settles anyway); ``time_of_deletion_days``
        for PENDING_DELETION (default 30).
        """
        try:
            body = request.json() if request.body else {}
        except ValueError:
            return json_response({"error": "the body is not JSON"}, 400)
        if not isinstance(body, dict):
            return json_response({"error": "the body must be a JSON object"}, 400)
        state, target = body.get("state"), body.get("settle_to")
        with self.lock:
            if body.get("recipe_id"):
                obj, states = self.state["recipes"].get(body["recipe_id"]), RECIPE_STATES
            else:
                obj, states = self._secret_named(body.get("secret_id"), body.get("name")), SECRET_STATES
            if obj is None:
                return json_response({"error": "no such object"}, 404)
            if state not in states or (target is not None and target not in states):
                return json_response({"error": "state and settle_to must be one of %s" % ", ".join(states)}, 400)
            for key in ("reads", "seconds", "time_of_deletion_days"):
                value = body.get(key)
                if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                    return json_response({"error": "%s must be a number >= 0" % key}, 400)
            for key in ("_target", "_reads", "_since", "_settle_reads", "_settle_seconds"):
                obj.pop(key, None)
            obj["lifecycleState"] = state
            if not body.get("recipe_id"):
                self._bump(obj)  # as another client's write would
            if state == "PENDING_DELETION":
                obj["timeOfDeletion"] = time.time() + float(body.get("time_of_deletion_days", 30)) * DAY
            elif "timeOfDeletion" in obj and state == "ACTIVE":
                obj["timeOfDeletion"] = None
            if target is not None:
                self._transition(obj, state, target)
                if body.get("reads") is not None:
                    obj["_settle_reads"] = int(body["reads"])
                if body.get("seconds") is not None:
                    obj["_settle_seconds"] = float(body["seconds"])
            self._save()
            return json_response({"id": obj["id"], "lifecycle_state": obj["lifecycleState"], "settle_to": target})

    def _secret_named(self, secret_id, name):
        if secret_id:
            return self.state["secrets"].get(secret_id)
        found = None
        for candidate in self.state["secrets"].values():
            if candidate["secretName"] == name and candidate["lifecycleState"] != "DELETED":
                found = candidate
        return found

    def _drift(self, request):
        """Out-of-band new version (what an edit in the Console, or another client, does).

        Body: ``name`` or ``secret_id``; ``content`` (text) or ``content_b64``; ``stage`` CURRENT
        (default) or PENDING.
        """
        body = request.json() if request.body else {}
        with self.lock:
            secret = None
            if body.get("secret_id"):
                secret = self.state["secrets"].get(body["secret_id"])
            elif body.get("name"):
                for candidate in self.state["secrets"].values():
                    if candidate["secretName"] == body["name"] and candidate["lifecycleState"] != "DELETED":
                        secret = candidate
            if secret is None:
                return json_response({"error": "no such secret"}, 404)
            if "content_b64" in body:
                content = body["content_b64"]
            else:
                content = base64.b64encode(str(body.get("content", "")).encode("utf-8")).decode("ascii")
            stage = body.get("stage") or "CURRENT"
            if stage not in ("CURRENT", "PENDING"):
                return json_response({"error": "stage must be CURRENT or PENDING"}, 400)
            number = self._add_version(secret, content, stage, None)
            self._bump(secret)
            self._save()
            return json_response({"secret_id": secret["id"], "current_version_number": secret["currentVersionNumber"],
                                  "version_number": number})

    # ------------------------------------------------------------ handle
    def handle(self, request, call):
        request_id = uuid.uuid4().hex.upper()
        try:
            if self.config.get("verify_signatures", True):
                headers = _LowerHeaders(request.headers)
                try:
                    verify_request(request.method, request.target, headers, request.body, self._lookup_key,
                                   max_skew=self.config.get("max_clock_skew", 300))
                except SignatureError as exc:
                    raise ApiError(401, "NotAuthenticated", str(exc))
            with self.lock:
                result = self._route(request)
        except ApiError as exc:
            return self._error(exc, request_id)
        status, data, headers = result
        headers = dict(headers or {})
        headers["opc-request-id"] = request_id
        if data is None:
            return Response(status, b"", None, headers)
        return Response(status, json.dumps(data), "application/json", headers)

    @staticmethod
    def _error(exc, request_id=None):
        headers = {"opc-request-id": request_id or uuid.uuid4().hex.upper()}
        return Response(exc.status, json.dumps({"code": exc.code, "message": exc.message}), "application/json", headers)

    def _route(self, request):
        path = request.path.rstrip("/")
        m = request.method
        q = request.query()
        seg = path.split("/")[1:]
        if seg[:2] == ["20180608", "secrets"]:
            rest = seg[2:]
            if not rest:
                if m == "GET":
                    return self.list_secrets(q)
                if m == "POST":
                    return self.create_secret(request)
            elif len(rest) == 1:
                if m == "GET":
                    return self.get_secret(rest[0])
                if m == "PUT":
                    return self.update_secret(rest[0], request)
            elif len(rest) == 2 and rest[1] == "versions" and m == "GET":
                return self.list_versions(rest[0], q)
            elif len(rest) == 3 and rest[1] == "version" and m == "GET":
                return self.get_version(rest[0], rest[2])
            elif len(rest) == 3 and rest[1] == "actions" and m == "POST":
                if rest[2] == "scheduleDeletion":
                    return self.schedule_deletion(rest[0], request)
                if rest[2] == "cancelDeletion":
                    return self.cancel_deletion(rest[0], request)
            raise ApiError(405 if rest else 404, "NotAllowed" if rest else "NotFound", "Unsupported request.")
        if seg[:2] == ["20190301", "secretbundles"]:
            rest = seg[2:]
            if rest == ["actions", "getByName"] and m == "POST":
                return self.get_bundle_by_name(q)
            if len(rest) == 1 and m == "GET":
                return self.get_bundle(rest[0], q)
            if len(rest) == 2 and rest[1] == "versions" and m == "GET":
                return self.list_bundle_versions(rest[0], q)
            raise ApiError(404, "NotFound", "Unsupported request.")
        if seg[:2] == ["20180608", "vaults"] and len(seg) == 3 and m == "GET":
            return self.get_vault(seg[2], request)
        if seg[:2] == ["20180608", "keys"] and m == "GET":
            if len(seg) == 2:
                return self.list_keys(q)
            if len(seg) == 3:
                return self.get_key(seg[2])
        if seg[:2] == ["20210215", "hostScanRecipes"]:
            rest = seg[2:]
            if not rest:
                if m == "GET":
                    return self.list_recipes(q)
                if m == "POST":
                    return self.create_recipe(request)
            elif len(rest) == 1:
                if m == "GET":
                    return self.get_recipe(rest[0])
                if m == "PUT":
                    return self.update_recipe(rest[0], request)
                if m == "DELETE":
                    return self.delete_recipe(rest[0], request)
            raise ApiError(404, "NotFound", "Unsupported request.")
        raise ApiError(404, "NotFound", "No such API path: %s %s" % (m, request.path))

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _body(request):
        if not request.body:
            return {}
        try:
            body = request.json()
        except ValueError:
            raise ApiError(400, "InvalidParameter", "The request body is not valid JSON.")
        if not isinstance(body, dict):
            raise ApiError(400, "InvalidParameter", "The request body must be a JSON object.")
        return body

    def _page(self, items, q):
        try:
            limit = int(q.get("limit") or self.config["page_size"])
            start = int(q.get("page") or 0)
        except ValueError:
            raise ApiError(400, "InvalidParameter", "limit and page must be numbers.")
        if limit < 1:
            raise ApiError(400, "InvalidParameter", "limit must be at least 1.")
        limit = min(limit, int(self.config["page_size"]))
        chunk = items[start:start + limit]
        headers = {}
        if start + limit < len(items):
            headers["opc-next-page"] = str(start + limit)
        return chunk, headers

    @staticmethod
    def _sort(items, q, default_key, name_key, time_key):
        sort_by = q.get("sortBy") or default_key
        reverse = (q.get("sortOrder") or ("DESC" if sort_by in ("TIMECREATED", "timeCreated") else "ASC")) == "DESC"
        if sort_by in ("NAME", "displayName"):
            return sorted(items, key=lambda o: (o.get(name_key) or "").lower(), reverse=reverse)
        return sorted(items, key=lambda o: o.get(time_key) or 0, reverse=reverse)

    @staticmethod
    def _etag(obj):
        return hashlib.sha256(json.dumps(obj, sort_keys=True).encode("utf-8")).hexdigest()[:32]

    def _check_if_match(self, request, obj):
        wanted = request.header("if-match")
        if wanted and wanted != self._etag(obj):
            raise ApiError(412, "PreconditionFailed", "The if-match value does not match the current etag.")

    @staticmethod
    def _secret_etag(secret):
        """A secret's etag: it changes with every write to the secret (a new version of any stage, a
        promotion, metadata, deletion or its cancellation), not when a transitional state settles."""
        return hashlib.sha256(("%s:%d" % (secret["id"], secret.get("revision", 0))).encode("utf-8")).hexdigest()[:32]

    def _check_secret_if_match(self, request, secret):
        # 412 answers an if-match that differs (OCI's convention); the code PreconditionFailed is not confirmed.
        wanted = request.header("if-match")
        if wanted and wanted != self._secret_etag(secret):
            raise ApiError(412, "PreconditionFailed", "The if-match value does not match the current etag of the secret.")

    @staticmethod
    def _bump(secret):
        secret["revision"] = secret.get("revision", 0) + 1

    def _new_ocid(self, kind):
        return "ocid1.%s.%s.%s.amaaaaaa%s" % (kind, fx.REALM, fx.region_key(self.fixtures["region"]), uuid.uuid4().hex)

    def _retry_token(self, request, operation):
        token = request.header("opc-retry-token")
        if not token:
            return None, None
        key = "%s:%s" % (operation, token)
        entry = self.state["retry_tokens"].get(key)
        if entry and time.time() - entry["time"] < DAY:
            return key, entry["id"]
        return key, None

    def _settle(self, obj, on_read):
        """Move a transitional object to its target state when due."""
        target = obj.get("_target")
        if not target:
            return False
        if on_read:
            obj["_reads"] = obj.get("_reads", 0) + 1
        reads = obj.get("_settle_reads", self.config.get("lifecycle_reads", 0))
        seconds = obj.get("_settle_seconds", self.config.get("settle_seconds", 5))
        due = obj.get("_reads", 0) > int(reads) or time.time() - obj.get("_since", 0) >= float(seconds)
        if due:
            obj["lifecycleState"] = target
            for key in ("_target", "_reads", "_since", "_settle_reads", "_settle_seconds"):
                obj.pop(key, None)
            self._save()
            return True
        return False

    @staticmethod
    def _transition(obj, state, target):
        obj["lifecycleState"] = state
        obj["_target"] = target
        obj["_reads"] = 0
        obj["_since"] = time.time()
        obj.pop("_settle_reads", None)
        obj.pop("_settle_seconds", None)

    # ------------------------------------------------------------ secrets
    def _secret(self, secret_id, on_read=False):
        secret = self.state["secrets"].get(secret_id)
        if secret is None:
            raise not_found("secret")
        self._expire(secret)
        self._settle(secret, on_read)
        return secret

    def _expire(self, secret):
        if secret["lifecycleState"] == "PENDING_DELETION" and secret.get("timeOfDeletion") \
                and time.time() >= secret["timeOfDeletion"]:
            secret["lifecycleState"] = "DELETED"
            self._save()

    def _secret_view(self, secret, summary=False):
        view = {
            "compartmentId": secret["compartmentId"],
            "definedTags": secret.get("definedTags") or {},
            "description": secret.get("description"),
            "freeformTags": secret.get("freeformTags") or {},
            "id": secret["id"],
            "keyId": secret["keyId"],
            "lifecycleDetails": None,
            "lifecycleState": secret["lifecycleState"],
            "secretName": secret["secretName"],
            "timeCreated": iso(secret["timeCreated"]),
            "timeOfCurrentVersionExpiry": None,
            "timeOfDeletion": iso(secret.get("timeOfDeletion")),
            "vaultId": secret["vaultId"],
            "isReplica": False,
            "isAutoGenerationEnabled": False,
        }
        if summary:
            view["systemTags"] = {}
        else:
            view["currentVersionNumber"] = secret["currentVersionNumber"]
            view["metadata"] = secret.get("metadata")
            view["secretRules"] = []
        return view

    def _version_view(self, secret, version):
        return {
            "contentType": "BASE64",
            "name": version.get("name"),
            "secretId": secret["id"],
            "stages": list(version["stages"]),
            "timeCreated": iso(version["timeCreated"]),
            "timeOfDeletion": None,
            "timeOfExpiry": None,
            "versionNumber": version["versionNumber"],
            "isContentAutoGenerated": False,
        }

    @staticmethod
    def _check_content(details, field="secretContent"):
        if not isinstance(details, dict):
            raise ApiError(400, "InvalidParameter", "%s must be an object." % field)
        if details.get("contentType") != "BASE64":
            raise ApiError(400, "InvalidParameter", "%s.contentType must be BASE64." % field)
        content = details.get("content")
        if not isinstance(content, str) or not content:
            raise ApiError(400, "MissingParameter", "%s.content is required." % field)
        try:
            raw = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "InvalidParameter", "%s.content is not valid base64." % field)
        if len(raw) > MAX_BUNDLE_BYTES:
            raise ApiError(400, "InvalidParameter", "The secret bundle exceeds 25 KB.")
        stage = details.get("stage") or "CURRENT"
        if stage not in ("CURRENT", "PENDING"):
            raise ApiError(400, "InvalidParameter", "%s.stage must be CURRENT or PENDING." % field)
        return content, stage, details.get("name")

    def _add_version(self, secret, content, stage, name):
        """Append a version staged CURRENT or PENDING (both also LATEST).

        A new CURRENT version moves the old CURRENT to PREVIOUS. A new PENDING version takes the
        PENDING stage from an older one (assumed: one PENDING version at a time; OCI's docs do not say).
        A new CURRENT version leaves a PENDING version as it is (assumed as well).
        """
        versions = secret["versions"]
        if name and any(v.get("name") == name for v in versions):
            raise ApiError(400, "InvalidParameter", "A secret version named %s already exists." % name)
        number = max([v["versionNumber"] for v in versions] or [0]) + 1
        for version in versions:
            version["stages"] = [s for s in version["stages"] if s != "LATEST"]
            if stage == "CURRENT" and "CURRENT" in version["stages"]:
                version["stages"] = [s for s in version["stages"] if s != "CURRENT"] + ["PREVIOUS"]
            elif stage == "CURRENT":
                version["stages"] = [s for s in version["stages"] if s != "PREVIOUS"]
            elif stage == "PENDING":
                version["stages"] = [s for s in version["stages"] if s != "PENDING"]
        versions.append({"versionNumber": number, "name": name, "stages": [stage, "LATEST"], "content": content,
                         "timeCreated": time.time()})
        self._deprecate_unstaged(versions)
        if stage == "CURRENT":
            secret["currentVersionNumber"] = number
        return number

    @staticmethod
    def _deprecate_unstaged(versions):
        """A version with no other stage is DEPRECATED; one that has another stage is not."""
        for version in versions:
            others = [s for s in version["stages"] if s != "DEPRECATED"]
            version["stages"] = others or ["DEPRECATED"]

    def _promote(self, secret, number):
        """``currentVersionNumber``: version ``number`` becomes CURRENT, the old CURRENT PREVIOUS.

        The promoted version loses PENDING (or PREVIOUS, DEPRECATED) and keeps LATEST. Promoting the
        CURRENT version changes no stage.
        """
        target = [v for v in secret["versions"] if v["versionNumber"] == number]
        if not target:
            raise ApiError(400, "InvalidParameter", "Secret version %s does not exist." % number)
        target = target[0]
        if "CURRENT" not in target["stages"]:
            for version in secret["versions"]:
                if version is target:
                    continue
                if "CURRENT" in version["stages"]:
                    version["stages"] = [s for s in version["stages"] if s != "CURRENT"] + ["PREVIOUS"]
                else:
                    version["stages"] = [s for s in version["stages"] if s != "PREVIOUS"]
            target["stages"] = ["CURRENT"] + [s for s in target["stages"] if s == "LATEST"]
            self._deprecate_unstaged(secret["versions"])
        secret["currentVersionNumber"] = number

    def list_secrets(self, q):
        _require(q, "compartmentId")
        state = q.get("lifecycleState")
        if state and state not in SECRET_STATES:
            raise ApiError(400, "InvalidParameter", "Unknown lifecycleState %s." % state)
        items = []
        for secret in self.state["secrets"].values():
            self._expire(secret)
            self._settle(secret, False)
            if secret["compartmentId"] != q["compartmentId"]:
                continue
            if q.get("vaultId") and secret["vaultId"] != q["vaultId"]:
                continue
            if q.get("name") and secret["secretName"] != q["name"]:
                continue
            if state and secret["lifecycleState"] != state:
                continue
            items.append(secret)
        items = self._sort(items, q, "TIMECREATED", "secretName", "timeCreated")
        chunk, headers = self._page(items, q)
        return 200, [self._secret_view(s, summary=True) for s in chunk], headers

    def get_secret(self, secret_id):
        secret = self._secret(secret_id, on_read=True)
        return 200, self._secret_view(secret), {"etag": self._secret_etag(secret)}

    def create_secret(self, request):
        body = self._body(request)
        token_key, existing = self._retry_token(request, "createSecret")
        if existing and existing in self.state["secrets"]:
            secret = self.state["secrets"][existing]
            return 200, self._secret_view(secret), {"etag": self._secret_etag(secret)}
        _require(body, "compartmentId", "vaultId", "keyId", "secretName")
        check_ocid(body["compartmentId"], "compartmentId", ("compartment", "tenancy"))
        vault = self.state["vaults"].get(body["vaultId"])
        if vault is None:
            raise not_found("vault")
        key = self.state["keys"].get(body["keyId"])
        if key is None or key["vaultId"] != body["vaultId"]:
            raise ApiError(400, "InvalidParameter", "The key %s does not exist in vault %s." % (body["keyId"], body["vaultId"]))
        if key["lifecycleState"] != "ENABLED":
            raise ApiError(409, "IncorrectState", "The key is not ENABLED.")
        name = body["secretName"]
        if not isinstance(name, str) or not SECRET_NAME_RE.match(name):
            raise ApiError(400, "InvalidParameter", "secretName may contain only letters, digits, -, _ and .")
        for other in self.state["secrets"].values():
            self._expire(other)
            if other["vaultId"] == body["vaultId"] and other["secretName"] == name and other["lifecycleState"] != "DELETED":
                raise ApiError(409, "Conflict", "A secret named %s already exists in this vault." % name)
        if body.get("secretContent") is None:
            raise ApiError(400, "MissingParameter", "secretContent is required.")
        content, stage, version_name = self._check_content(body["secretContent"])
        if stage != "CURRENT":
            raise ApiError(400, "InvalidParameter", "When creating a secret, only the CURRENT stage is allowed.")
        if body.get("secretRules"):
            raise ApiError(400, "InvalidParameter", "secretRules are not supported by this simulator.")
        secret_id = self._new_ocid("vaultsecret")
        secret = {
            "id": secret_id, "compartmentId": body["compartmentId"], "vaultId": body["vaultId"],
            "keyId": body["keyId"], "secretName": name, "description": body.get("description"),
            "freeformTags": _dict_or_none(body, "freeformTags") or {},
            "definedTags": _dict_or_none(body, "definedTags") or {},
            "metadata": _dict_or_none(body, "metadata"),
            "timeCreated": time.time(), "timeOfDeletion": None, "currentVersionNumber": 0, "versions": [],
        }
        self._add_version(secret, content, "CURRENT", version_name)
        self._transition(secret, "CREATING", "ACTIVE")
        self.state["secrets"][secret_id] = secret
        if token_key:
            self.state["retry_tokens"][token_key] = {"id": secret_id, "time": time.time()}
        self._save()
        return 200, self._secret_view(secret), {"etag": self._secret_etag(secret)}

    def update_secret(self, secret_id, request):
        secret = self._secret(secret_id)
        body = self._body(request)
        self._check_secret_if_match(request, secret)
        if secret["lifecycleState"] != "ACTIVE":
            raise ApiError(409, "IncorrectState", "The secret is %s; only ACTIVE secrets can be updated."
                           % secret["lifecycleState"])
        unknown = set(body) - {"currentVersionNumber", "description", "freeformTags", "definedTags", "metadata",
                               "secretContent", "secretRules"}
        if unknown:
            raise ApiError(400, "InvalidParameter", "Unknown or immutable fields: %s." % ", ".join(sorted(unknown)))
        groups = [f for f in ("currentVersionNumber", "secretContent", "secretRules") if body.get(f) is not None]
        if len(groups) > 1:
            raise ApiError(400, "InvalidParameter", "currentVersionNumber, secretContent and secretRules cannot be "
                                                    "updated at the same time.")
        if body.get("secretRules"):
            raise ApiError(400, "InvalidParameter", "secretRules are not supported by this simulator.")
        content = None
        if body.get("secretContent") is not None:
            content, stage, version_name = self._check_content(body["secretContent"])
        if body.get("currentVersionNumber") is not None:
            number = body["currentVersionNumber"]
            if isinstance(number, bool) or not isinstance(number, int):
                raise ApiError(400, "InvalidParameter", "currentVersionNumber must be an integer.")
            self._promote(secret, number)
        if content is not None:
            self._add_version(secret, content, stage, version_name)
        for field in ("description",):
            if field in body and body[field] is not None:
                secret[field] = body[field]
        for field in ("freeformTags", "definedTags", "metadata"):
            if body.get(field) is not None:
                secret[field] = _dict_or_none(body, field)
        self._transition(secret, "UPDATING", "ACTIVE")
        self._bump(secret)
        self._save()
        return 200, self._secret_view(secret), {"etag": self._secret_etag(secret)}

    def list_versions(self, secret_id, q):
        secret = self._secret(secret_id)
        versions = sorted(secret["versions"], key=lambda v: v["versionNumber"],
                          reverse=(q.get("sortOrder") or "ASC") == "DESC")
        chunk, headers = self._page(versions, q)
        return 200, [self._version_view(secret, v) for v in chunk], headers

    def get_version(self, secret_id, number):
        secret = self._secret(secret_id)
        for version in secret["versions"]:
            if str(version["versionNumber"]) == number:
                return 200, self._version_view(secret, version), {}
        raise not_found("secret version")

    def schedule_deletion(self, secret_id, request):
        secret = self._secret(secret_id)
        body = self._body(request)
        self._check_secret_if_match(request, secret)
        if secret["lifecycleState"] != "ACTIVE":
            raise ApiError(409, "IncorrectState", "The secret is %s; only ACTIVE secrets can be scheduled for deletion."
                           % secret["lifecycleState"])
        now = time.time()
        if body.get("timeOfDeletion") is not None:
            when = parse_time(body["timeOfDeletion"], "timeOfDeletion")
            if not now + DAY - 60 <= when <= now + 30 * DAY + 60:
                raise ApiError(400, "InvalidParameter", "timeOfDeletion must be between 1 and 30 days from now.")
        else:
            when = now + 30 * DAY
        secret["timeOfDeletion"] = when
        self._transition(secret, "SCHEDULING_DELETION", "PENDING_DELETION")
        self._bump(secret)
        self._save()
        return 200, None, {}

    def cancel_deletion(self, secret_id, request):
        secret = self._secret(secret_id)
        self._check_secret_if_match(request, secret)
        if secret["lifecycleState"] != "PENDING_DELETION":
            raise ApiError(409, "IncorrectState", "The secret is %s; only a secret pending deletion can be restored."
                           % secret["lifecycleState"])
        secret["timeOfDeletion"] = None
        self._transition(secret, "CANCELLING_DELETION", "ACTIVE")
        self._bump(secret)
        self._save()
        return 200, None, {}

    # ------------------------------------------------------------ bundles
    def _bundle(self, secret, q):
        if secret["lifecycleState"] in ("DELETED", "DELETING"):
            raise not_found("secret")
        versions = secret["versions"]
        chosen = None
        if q.get("versionNumber"):
            chosen = [v for v in versions if str(v["versionNumber"]) == q["versionNumber"]]
        elif q.get("secretVersionName"):
            chosen = [v for v in versions if v.get("name") == q["secretVersionName"]]
        else:
            stage = q.get("stage") or "CURRENT"
            if stage not in STAGES:
                raise ApiError(400, "InvalidParameter", "Unknown stage %s." % stage)
            chosen = [v for v in versions if stage in v["stages"]]
        if not chosen:
            raise not_found("secret bundle")
        version = chosen[-1]
        return 200, {
            "secretId": secret["id"],
            "timeCreated": iso(version["timeCreated"]),
            "versionNumber": version["versionNumber"],
            "versionName": version.get("name"),
            "secretBundleContent": {"contentType": "BASE64", "content": version["content"]},
            "timeOfDeletion": None,
            "timeOfExpiry": None,
            "stages": list(version["stages"]),
            "metadata": secret.get("metadata"),
        }, {}

    def get_bundle(self, secret_id, q):
        return self._bundle(self._secret(secret_id), q)

    def get_bundle_by_name(self, q):
        _require(q, "secretName", "vaultId")
        for secret in self.state["secrets"].values():
            self._expire(secret)
            if secret["vaultId"] == q["vaultId"] and secret["secretName"] == q["secretName"] \
                    and secret["lifecycleState"] not in ("DELETED",):
                self._settle(secret, False)
                return self._bundle(secret, q)
        raise not_found("secret")

    def list_bundle_versions(self, secret_id, q):
        secret = self._secret(secret_id)
        versions = sorted(secret["versions"], key=lambda v: v["versionNumber"],
                          reverse=(q.get("sortOrder") or "ASC") == "DESC")
        chunk, headers = self._page(versions, q)
        return 200, [{
            "secretId": secret["id"], "timeCreated": iso(v["timeCreated"]), "versionNumber": v["versionNumber"],
            "versionName": v.get("name"), "timeOfDeletion": None, "timeOfExpiry": None, "stages": list(v["stages"]),
        } for v in chunk], headers

    # ------------------------------------------------------------ KMS
    def get_vault(self, vault_id, request):
        vault = self.state["vaults"].get(vault_id)
        if vault is None:
            raise not_found("vault")
        host = request.header("Host") or "127.0.0.1"
        endpoint = "%s://%s" % (self.scheme, host)
        return 200, {
            "compartmentId": vault["compartmentId"], "cryptoEndpoint": endpoint, "definedTags": {},
            "displayName": vault["displayName"], "freeformTags": {}, "id": vault["id"],
            "lifecycleState": vault["lifecycleState"], "managementEndpoint": endpoint,
            "timeCreated": iso(vault["timeCreated"]), "timeOfDeletion": None, "vaultType": vault["vaultType"],
            "isPrimary": True, "isVaultReplicable": False,
        }, {}

    @staticmethod
    def _key_view(key, summary=False):
        view = {
            "compartmentId": key["compartmentId"], "definedTags": {}, "displayName": key["displayName"],
            "freeformTags": {}, "id": key["id"], "lifecycleState": key["lifecycleState"],
            "timeCreated": iso(key["timeCreated"]), "vaultId": key["vaultId"], "protectionMode": key["protectionMode"],
        }
        if summary:
            view["algorithm"] = key["algorithm"]
        else:
            view.update(currentKeyVersion=key["id"] + "version1",
                        keyShape={"algorithm": key["algorithm"], "length": key["length"]},
                        timeOfDeletion=None, isPrimary=True, isAutoRotationEnabled=False)
        return view

    def list_keys(self, q):
        _require(q, "compartmentId")
        items = [k for k in self.state["keys"].values() if k["compartmentId"] == q["compartmentId"]]
        items = self._sort(items, q, "TIMECREATED", "displayName", "timeCreated")
        chunk, headers = self._page(items, q)
        return 200, [self._key_view(k, summary=True) for k in chunk], headers

    def get_key(self, key_id):
        key = self.state["keys"].get(key_id)
        if key is None:
            raise not_found("key")
        return 200, self._key_view(key), {}

    # ------------------------------------------------------------ VSS
    def _recipe(self, recipe_id, on_read=False):
        recipe = self.state["recipes"].get(recipe_id)
        if recipe is None:
            raise not_found("host scan recipe")
        self._settle(recipe, on_read)
        return recipe

    @staticmethod
    def _recipe_view(recipe, summary=False):
        view = {
            "id": recipe["id"], "displayName": recipe["displayName"], "compartmentId": recipe["compartmentId"],
            "lifecycleState": recipe["lifecycleState"], "timeCreated": iso(recipe["timeCreated"]),
            "timeUpdated": iso(recipe["timeUpdated"]), "freeformTags": recipe.get("freeformTags") or {},
            "definedTags": recipe.get("definedTags") or {}, "systemTags": {},
        }
        if not summary:
            view.update(portSettings=recipe["portSettings"], agentSettings=recipe["agentSettings"],
                        applicationSettings=recipe.get("applicationSettings"), schedule=recipe["schedule"])
        return view

    def _recipe_fields(self, body, creating):
        fields = {}
        if creating:
            _require(body, "compartmentId", "portSettings", "agentSettings", "schedule")
            check_ocid(body["compartmentId"], "compartmentId", ("compartment", "tenancy"))
        if body.get("displayName") is not None:
            if not isinstance(body["displayName"], str) or not body["displayName"].strip():
                raise ApiError(400, "InvalidParameter", "displayName must be a non-empty string.")
            fields["displayName"] = body["displayName"]
        if body.get("portSettings") is not None:
            port = body["portSettings"]
            if not isinstance(port, dict) or port.get("scanLevel") not in ("NONE", "LIGHT", "STANDARD"):
                raise ApiError(400, "InvalidParameter", "portSettings.scanLevel must be NONE, LIGHT or STANDARD.")
            fields["portSettings"] = {"scanLevel": port["scanLevel"]}
        if body.get("agentSettings") is not None:
            fields["agentSettings"] = self._agent_settings(body["agentSettings"])
        if body.get("schedule") is not None:
            schedule = body["schedule"]
            if not isinstance(schedule, dict) or schedule.get("type") not in ("DAILY", "WEEKLY"):
                raise ApiError(400, "InvalidParameter", "schedule.type must be DAILY or WEEKLY.")
            days = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
            if schedule["type"] == "WEEKLY" and schedule.get("dayOfWeek") not in days:
                raise ApiError(400, "InvalidParameter", "schedule.dayOfWeek is required for a WEEKLY schedule.")
            fields["schedule"] = {"type": schedule["type"], "dayOfWeek": schedule.get("dayOfWeek")}
        if body.get("applicationSettings") is not None:
            fields["applicationSettings"] = body["applicationSettings"]
        for name in ("freeformTags", "definedTags"):
            if body.get(name) is not None:
                fields[name] = _dict_or_none(body, name)
        return fields

    def _agent_settings(self, agent):
        if not isinstance(agent, dict) or agent.get("scanLevel") not in ("NONE", "STANDARD"):
            raise ApiError(400, "InvalidParameter", "agentSettings.scanLevel must be NONE or STANDARD.")
        config = agent.get("agentConfiguration")
        result = {"scanLevel": agent["scanLevel"], "agentConfiguration": None}
        if config is None:
            return result
        if not isinstance(config, dict) or config.get("vendor") not in ("OCI", "QUALYS"):
            raise ApiError(400, "InvalidParameter", "agentConfiguration.vendor must be OCI or QUALYS.")
        if config["vendor"] == "QUALYS":
            _require(config, "vaultSecretId")
            if not isinstance(config.get("shouldUnInstall"), bool):
                raise ApiError(400, "MissingParameter", "agentConfiguration.shouldUnInstall is required.")
            secret = self.state["secrets"].get(config["vaultSecretId"])
            if secret is None or secret["lifecycleState"] in ("DELETED", "DELETING", "PENDING_DELETION"):
                raise ApiError(400, "InvalidParameter", "vaultSecretId %s is not an available secret."
                               % config["vaultSecretId"])
            result["agentConfiguration"] = {"vendor": "QUALYS", "vendorType": "QUALYS",
                                            "vaultSecretId": config["vaultSecretId"],
                                            "shouldUnInstall": config["shouldUnInstall"]}
        else:
            result["agentConfiguration"] = {"vendor": "OCI", "vendorType": "OCI",
                                            "cisBenchmarkSettings": config.get("cisBenchmarkSettings"),
                                            "endpointProtectionSettings": config.get("endpointProtectionSettings")}
        return result

    def list_recipes(self, q):
        _require(q, "compartmentId")
        items = []
        for recipe in self.state["recipes"].values():
            self._settle(recipe, False)
            if recipe["compartmentId"] != q["compartmentId"]:
                continue
            if q.get("displayName") and recipe["displayName"] != q["displayName"]:
                continue
            if q.get("lifecycleState"):
                if recipe["lifecycleState"] != q["lifecycleState"]:
                    continue
            elif recipe["lifecycleState"] == "DELETED":
                continue
            items.append(recipe)
        items = self._sort(items, q, "timeCreated", "displayName", "timeCreated")
        chunk, headers = self._page(items, q)
        return 200, {"items": [self._recipe_view(r, summary=True) for r in chunk]}, headers

    def get_recipe(self, recipe_id):
        recipe = self._recipe(recipe_id, on_read=True)
        view = self._recipe_view(recipe)
        return 200, view, {"etag": self._etag(view)}

    def create_recipe(self, request):
        body = self._body(request)
        token_key, existing = self._retry_token(request, "createHostScanRecipe")
        if existing and existing in self.state["recipes"]:
            view = self._recipe_view(self.state["recipes"][existing])
            return 200, view, {"etag": self._etag(view)}
        fields = self._recipe_fields(body, creating=True)
        now = time.time()
        recipe_id = self._new_ocid("vsshostscanrecipe")
        recipe = {"id": recipe_id, "compartmentId": body["compartmentId"],
                  "displayName": fields.pop("displayName", "hostscanrecipe%d" % int(now)),
                  "timeCreated": now, "timeUpdated": now, "applicationSettings": None,
                  "freeformTags": {}, "definedTags": {}}
        recipe.update(fields)
        self._transition(recipe, "CREATING", "ACTIVE")
        self.state["recipes"][recipe_id] = recipe
        if token_key:
            self.state["retry_tokens"][token_key] = {"id": recipe_id, "time": now}
        self._save()
        view = self._recipe_view(recipe)
        return 200, view, {"etag": self._etag(view)}

    def update_recipe(self, recipe_id, request):
        recipe = self._recipe(recipe_id)
        body = self._body(request)
        self._check_if_match(request, self._recipe_view(recipe))
        if recipe["lifecycleState"] not in ("ACTIVE", "FAILED"):
            raise ApiError(409, "IncorrectState", "The host scan recipe is %s." % recipe["lifecycleState"])
        if "compartmentId" in body:
            raise ApiError(400, "InvalidParameter", "compartmentId cannot be updated; use changeCompartment.")
        recipe.update(self._recipe_fields(body, creating=False))
        recipe["timeUpdated"] = time.time()
        self._transition(recipe, "UPDATING", "ACTIVE")
        self._save()
        return 202, None, {"opc-work-request-id": self._new_ocid("vssworkrequest")}

    def delete_recipe(self, recipe_id, request):
        recipe = self._recipe(recipe_id)
        self._check_if_match(request, self._recipe_view(recipe))
        if recipe["lifecycleState"] in ("DELETING", "DELETED"):
            raise not_found("host scan recipe")
        if recipe["lifecycleState"] not in ("ACTIVE", "FAILED"):
            raise ApiError(409, "IncorrectState", "The host scan recipe is %s." % recipe["lifecycleState"])
        recipe["timeUpdated"] = time.time()
        self._transition(recipe, "DELETING", "DELETED")
        self._save()
        return 202, None, {"opc-work-request-id": self._new_ocid("vssworkrequest")}


class _LowerHeaders:
    """Case-insensitive header access for the signature check."""

    def __init__(self, headers):
        self._headers = headers

    def get(self, name, default=None):
        value = self._headers.get(name)
        return default if value is None else value


def _key_id_of(authorization):
    match = re.search(r'keyId="([^"]*)"', authorization or "")
    return match.group(1) if match else None
