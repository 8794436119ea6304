# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Qualys simulator: routing, authentication pipeline, limits and faults."""

import contextlib
import re
import threading

from simulators.common import CallInfo, ServiceApp, text_response

from . import adminui, apps, asset_groups, gateway, misc, msp_users, qps, qps_am, tags
from .context import BAD_LOGIN, EXPIRED, INACTIVE, NOT_REGISTERED, Ctx, auth_failure, not_found
from .limits import Limits, concurrency_refusal, rate_refusal
from .model import Subscription
from .tokens import unverified_subject, verify
from .xmlgen import now_iso, simple_return

DEFAULT_ADMIN_LOGIN = "scanops_admin"
DEFAULT_ADMIN_PASSWORD = "scanops-demo-Admin1!"

# canonical path -> (family, handler, options)
ROUTES = {
    "/msp/user.php": ("msp", msp_users.user_php, {}),
    "/msp/user_list.php": ("msp", msp_users.user_list, {}),
    "/msp/password_change.php": ("msp", msp_users.password_change, {}),
    "/msp/acceptEULA.php": ("msp", msp_users.accept_eula, {"allow_unregistered": True}),
    "/msp/about.php": ("msp", misc.about, {}),
    "/api/2.0/fo/user/change_password/": ("vmpc", msp_users.change_own_password, {}),
    "/api/2.0/fo/asset/group/": ("vmpc", asset_groups.handle, {}),
    "/api/2.0/fo/activity_log/": ("vmpc", misc.activity_log, {}),
    "/api/2.0/fo/asset/host/vm/detection/": ("vmpc", apps.vm_host_detection, {}),
    "/qps/rest/portal/version": ("qps", misc.portal_version, {}),
    "/auth": ("gateway", gateway.password_token, {}),
    "/auth/oidc": ("gateway", gateway.oidc_token, {}),
    "/fo/login.php": ("ui", misc.ui_login, {}),
    # Gateway application reads (JWT; modelled, see apps.py).
    "/fim/v2/events/count": ("app", apps.application_read, {}),
    "/pm/v1/deploymentjobs/summary": ("app", apps.application_read, {}),
    "/etm/api/rest/v1/reports/list": ("app", apps.application_read, {}),
    # Administration user calls (JWT; served in enhanced-RBAC mode only, see adminui.py).
    adminui.LIST_PATH: ("adminui", adminui.list_users, {}),
    adminui.CREATE_PATH: ("adminui", adminui.create_user, {}),
    adminui.STATUS_PATH: ("adminui", adminui.set_status, {}),
}

QPS_PATH = re.compile(r"^/qps/rest/2\.0/(search|get|count|create|update|delete)/am/(tag|user|role|hostasset)(?:/(\d+))?/?$")
QPS_HANDLERS = {"tag": tags.handle, "user": qps_am.users, "role": qps_am.roles, "hostasset": misc.hostasset}
ADMINUI_DETAILS_PATH = re.compile(r"^/adminui/user-management/v1/user/(\d+)$")

READ_ACTIONS = {"list", None, ""}
LIMITED_FAMILIES = ("vmpc", "msp")
CONFIG_DEFAULTS = {
    "concurrency_limit": 2,
    "concurrency_running_counts_self": True,
    "rate_limit": 300,
    "rate_window_sec": 3600,
    "towait_scale": 1.0,
    "page_size": None,
    "role_api": True,
    "login_prefix": "scanops",
    "platform_char": "_",
    "jwt_ttl_sec": 14400,
    "require_x_requested_with": True,
    "modules": ["VM", "PC", "CA", "WAS", "FIM", "PM", "ETM", "CSAM"],
    "pod": "SIMPOD1",
}
CONFIG_DEFAULTS.update(adminui.DEFAULTS)  # user_api and the enhanced-RBAC shapes


def canonical(path):
    """``/api/2.0/fo/asset/group/index.php`` and ``.../group`` -> ``.../group/``."""
    if path.startswith("/api/2.0/"):
        if path.endswith("/index.php"):
            path = path[: -len("index.php")]
        if not path.endswith("/"):
            path += "/"
    elif path != "/" and path.endswith("/") and not path.startswith("/qps/"):
        path = path.rstrip("/")
    return path


def resolve(path):
    """(family, handler, options, endpoint_path, qps_parts) or None."""
    path = canonical(path)
    if path in ROUTES:
        family, handler, options = ROUTES[path]
        return family, handler, options, path, None
    match = QPS_PATH.match(path)
    if match:
        operation, obj, object_id = match.groups()
        endpoint = "/qps/rest/2.0/%s/am/%s" % (operation, obj) + ("/{id}" if object_id else "")
        return "qps", QPS_HANDLERS[obj], {}, endpoint, (operation, obj, object_id)
    if ADMINUI_DETAILS_PATH.match(path):
        return "adminui", adminui.user_details, {}, adminui.DETAILS_PATH, None
    return None


class QualysApp(ServiceApp):
    """Qualys API simulator (see tests/simulators/README.md)."""

    name = "qualys"
    extra_fault_kinds = ("409_1960", "409_1965")

    def __init__(self, state_file=None, admin_login=DEFAULT_ADMIN_LOGIN, admin_password=DEFAULT_ADMIN_PASSWORD,
                 seed=None, scheme="https"):
        super().__init__()
        self.scheme = scheme
        self.config = dict(CONFIG_DEFAULTS)
        self.sub = Subscription(state_file, admin_login, admin_password, seed)
        self.limits = Limits(self.config)
        self.config = self._config  # point the store and the limits at the live settings
        self.activity = []
        self.activity_lock = threading.Lock()
        self.next_activity_id = 161000000

    # The server swaps in its own dict (common keys + ours); keep helpers pointed at it.
    @property
    def config(self):
        return self._config

    @config.setter
    def config(self, value):
        self._config = value
        if getattr(self, "limits", None) is not None:
            self.limits.config = value
        if getattr(self, "sub", None) is not None:
            self.sub.config = value
            self._apply_identity_settings()

    def _apply_identity_settings(self):
        self.sub.login_prefix = self._config.get("login_prefix", "scanops")
        self.sub.platform_char = self._config.get("platform_char", "_")

    def default_config(self):
        return dict(CONFIG_DEFAULTS)

    def validate_config(self, key, value):
        numbers = {"concurrency_limit": 0, "rate_limit": 0, "rate_window_sec": 1, "jwt_ttl_sec": -86400}
        if key in numbers:
            if isinstance(value, bool) or not isinstance(value, int) or value < numbers[key]:
                raise ValueError("%s must be an integer >= %d" % (key, numbers[key]))
        elif key == "towait_scale":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError("towait_scale must be a number > 0")
        elif key == "page_size":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError("page_size must be null or an integer >= 1")
        elif key == "role_api":
            value = qps_am.check_role_api_setting(value)
        elif key in adminui.DEFAULTS:
            value = adminui.check_setting(key, value)
        elif key in ("require_x_requested_with", "concurrency_running_counts_self"):
            if not isinstance(value, bool):
                raise ValueError("%s must be true or false" % key)
        elif key == "modules":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ValueError("modules must be a list of strings")
        elif not isinstance(value, str) or not value:
            raise ValueError("%s must be a non-empty string" % key)
        if key in ("login_prefix", "platform_char"):
            with self.sub.lock:
                setattr(self.sub, key, value)
        return value

    # --- classification ----------------------------------------------------
    def classify(self, request):
        route = resolve(request.path)
        basic = request.basic_auth()
        token = request.bearer_token()
        user = basic[0] if basic else (unverified_subject(token) if token else None)
        if route is None:
            return CallInfo(request, canonical(request.path), None, "read", user)
        family, _handler, _options, endpoint, qps_parts = route
        if family == "gateway":
            return CallInfo(request, endpoint, None, "auth", request.params().get("username") or user)
        if qps_parts is not None:
            kind = "read" if qps_parts[0] in ("search", "get", "count") else "write"
            return CallInfo(request, endpoint, None, kind, user)
        if family == "adminui":
            return CallInfo(request, endpoint, None, adminui.call_kind(endpoint), user)
        action = request.params().get("action") if family in ("vmpc", "msp") else None
        if endpoint in ("/msp/password_change.php", "/msp/acceptEULA.php", "/api/2.0/fo/user/change_password/"):
            kind = "write"
        elif endpoint in ("/msp/user.php", "/api/2.0/fo/asset/group/"):
            kind = "read" if action in READ_ACTIONS else "write"
        else:
            kind = "read"
        return CallInfo(request, endpoint, action or None, kind, user)

    # --- limits (concurrency is held while latency/slow faults sleep) -------
    @contextlib.contextmanager
    def in_flight(self, request, call):
        route = resolve(request.path)
        if route is None or route[0] not in LIMITED_FAMILIES:
            yield None
            return
        key = route[3]
        admitted, running = self.limits.enter(key)
        call.limit_key = key
        call.running = running
        if not admitted:
            headers = self.limits.headers(key, running)
            base = "%s://%s" % (self.scheme, request.header("Host") or "127.0.0.1")
            yield concurrency_refusal(base, headers, running, int(self.config["concurrency_limit"]))
            return
        try:
            yield None
        finally:
            self.limits.leave(key)

    def fault_response(self, kind, request, call):
        route = resolve(request.path)
        family = route[0] if route else None
        base = "%s://%s" % (self.scheme, request.header("Host") or "127.0.0.1")
        key = route[3] if route else canonical(request.path)
        headers = self.limits.headers(key, getattr(call, "running", 1))
        wait = self.limits.nominal_wait()
        if kind == "409_1960":
            running = self.limits.refused_running()
            headers["X-Concurrency-Limit-Running"] = str(running)
            return concurrency_refusal(base, headers, running, int(self.config["concurrency_limit"]) or 1)
        if kind == "409_1965":
            return rate_refusal(base, headers, wait)
        if kind == "429":
            gateway_headers = {key_: headers[key_] for key_ in ("X-RateLimit-Limit", "X-RateLimit-Window-Sec")}
            gateway_headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-ToWait-Sec": str(wait)})
            return text_response("Too Many Requests: API rate limit exceeded", 429, headers=gateway_headers)
        if family in LIMITED_FAMILIES and kind in ("500", "503"):
            if kind == "500":
                return simple_return(base, "Internal error. Please contact customer support.", 999, status=500)
            return simple_return(base, "We are performing scheduled maintenance on our System. "
                                 "We apologize for any inconvenience", 1999, status=503)
        return None

    # --- request pipeline --------------------------------------------------
    def handle(self, request, call):
        route = resolve(request.path)
        if route is None:
            return not_found()
        family, handler, options, endpoint, qps_parts = route
        ctx = Ctx(self, request, call, family, endpoint, request.params())
        ctx.qps_parts = qps_parts
        if qps_parts and qps_parts[1] == "role":
            refusal = qps_am.role_api_refusal(ctx)
            if refusal is not None:
                return refusal
        if family in ("gateway", "app"):
            return handler(ctx)  # token issuance, and application reads that check their own JWT
        if family == "adminui":
            return adminui.handle(ctx, handler)  # rbac mode only; checks its own JWT
        if endpoint in adminui.CLASSIC_USER_ENDPOINTS and adminui.rbac(self.config):
            refusal = adminui.classic_refusal_before_auth(ctx)
            if refusal is not None:
                return refusal
            handler = adminui.classic_refusal
        if family == "vmpc" and self.config.get("require_x_requested_with") and not request.header("X-Requested-With"):
            return simple_return(ctx.base_url, "Missing required header: X-Requested-With", 1903, status=400)
        refusal = self._authenticate(ctx, options)
        if refusal is not None:
            return refusal
        call.user = ctx.login
        limited = family in LIMITED_FAMILIES
        if limited:
            wait = self.limits.take(endpoint)
            if wait:
                headers = self.limits.headers(endpoint, getattr(call, "running", 1))
                return rate_refusal(ctx.base_url, headers, wait)
        self._log_activity(ctx)
        try:
            response = handler(ctx)
        except qps.QpsError as exc:
            xsd_key = qps_parts[1] if qps_parts else "tag"
            response = qps.error_response(request, ctx.base_url, exc.code, exc.message, exc.resolution, xsd_key,
                                          exc.status)
        if limited:
            response.headers.update(self.limits.headers(endpoint, getattr(call, "running", 1)))
        if ctx.user and (family in LIMITED_FAMILIES or family == "qps"):
            response.headers["X-Powered-By"] = "Qualys:%s:%s:%s" % (self.config.get("pod"), self.sub.sub_uuid,
                                                                    ctx.user["uuid"])
        return response

    def _authenticate(self, ctx, options):
        """Find the caller; return an error Response or None (ctx.user set)."""
        request = ctx.request
        token = request.bearer_token()
        sub = self.sub
        if token and ctx.family in ("qps", "vmpc"):
            claims = verify(sub.jwt_secret, token)
            user = sub.user_by_login(claims["sub"]) if claims else None
            if user is None:
                return auth_failure(ctx, BAD_LOGIN, token=True)
            ctx.token_auth = True
        else:
            basic = request.basic_auth()
            user = sub.user_by_login(basic[0]) if basic else None
            if user is None or user["password"] != basic[1] or user["user_role"] == "contact":
                return auth_failure(ctx, BAD_LOGIN)
        ctx.user = user
        if user.get("expired"):
            return auth_failure(ctx, EXPIRED)
        if user["status"] == "Inactive":
            return auth_failure(ctx, INACTIVE)
        if ctx.family == "ui":
            return None  # UI access is checked by the UI page itself
        if not user["eula_accepted"] and not options.get("allow_unregistered"):
            return auth_failure(ctx, NOT_REGISTERED)
        if not sub.api_access(user):
            # Qualys' own troubleshooting notes: no API access looks like a bad login.
            ctx.user = {}
            return auth_failure(ctx, BAD_LOGIN)
        with sub.lock:
            user["last_login_date"] = now_iso()
        return None

    def _log_activity(self, ctx):
        with self.activity_lock:
            self.next_activity_id += 1
            self.activity.append({
                "id": self.next_activity_id, "date": now_iso(), "action": "request", "module": "auth",
                "details": "API: %s" % ctx.path, "user": ctx.login,
                "role": ctx.sub.user_view(ctx.user)["user_role_name"], "ip": ctx.request.client_address[0]
                if ctx.request.client_address else "127.0.0.1",
            })
            if len(self.activity) > 10000:
                del self.activity[:1000]

    # --- control API hooks ---------------------------------------------------
    def dump_state(self):
        return self.sub.dump()

    def reset_state(self):
        self.sub.reset()
        self.limits.reset()

    def seed(self, body):
        counts = {}
        for key in ("users", "asset_groups", "tags"):
            value = body.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 100000:
                raise ValueError("%s must be an integer between 0 and 100000" % key)
            counts[key] = value
        unknown = set(body) - set(counts)
        if unknown:
            raise ValueError("unknown seed fields: %s" % ", ".join(sorted(unknown)))
        return self.sub.seed_filler(**counts)

    def secrets(self):
        return self.sub.secret_values()

    def control(self, request, subpath):
        return gateway.control(self, request, subpath)

    def close(self):
        self.sub.save()
