# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client every Qualys module uses.

It knows where a platform lives, how each API family authenticates, how to
wait out Qualys' rate and concurrency limits, which calls may be retried, and
how to turn every failure into one exception type, ``QualysError``.
Envelopes (XML, QPS JSON, gateway errors) are decoded, and limit refusals
recognised (``is_limit_reply``), by ``qualys_formats``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import random
import re
import socket
import threading
import time
import traceback

from ansible_collections.scanops.qualys.plugins.module_utils.env import env_fallback
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
# The one limit predicate, used by the retry policy below (and importable from here, as it always was).
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_formats import is_limit_reply

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import MaxRetryError, ProxyError as Urllib3ProxyError, ResponseError
    from urllib3.util.retry import RequestHistory, Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "scanops.qualys/%s (Ansible collection)" % COLLECTION_VERSION

# Pod -> (API server, gateway). Source: Qualys platform identification table.
PLATFORMS = {
    "US1": ("https://qualysapi.qualys.com", "https://gateway.qg1.apps.qualys.com"),
    "US2": ("https://qualysapi.qg2.apps.qualys.com", "https://gateway.qg2.apps.qualys.com"),
    "US3": ("https://qualysapi.qg3.apps.qualys.com", "https://gateway.qg3.apps.qualys.com"),
    "US4": ("https://qualysapi.qg4.apps.qualys.com", "https://gateway.qg4.apps.qualys.com"),
    "EU1": ("https://qualysapi.qualys.eu", "https://gateway.qg1.apps.qualys.eu"),
    "EU2": ("https://qualysapi.qg2.apps.qualys.eu", "https://gateway.qg2.apps.qualys.eu"),
    "EU3": ("https://qualysapi.qg3.apps.qualys.it", "https://gateway.qg3.apps.qualys.it"),
    "IN1": ("https://qualysapi.qg1.apps.qualys.in", "https://gateway.qg1.apps.qualys.in"),
    "CA1": ("https://qualysapi.qg1.apps.qualys.ca", "https://gateway.qg1.apps.qualys.ca"),
    "AE1": ("https://qualysapi.qg1.apps.qualys.ae", "https://gateway.qg1.apps.qualys.ae"),
    "UK1": ("https://qualysapi.qg1.apps.qualys.co.uk", "https://gateway.qg1.apps.qualys.co.uk"),
    "AU1": ("https://qualysapi.qg1.apps.qualys.com.au", "https://gateway.qg1.apps.qualys.com.au"),
    "KSA1": ("https://qualysapi.qg1.apps.qualysksa.com", "https://gateway.qg1.apps.qualysksa.com"),
    "GOV1": ("https://qualysapi.gov1.qualys.us", "https://gateway.gov1.qualys.us"),
}

# The user back-ends (option user_api): the classic /msp user APIs, or the Administration APIs of enhanced RBAC.
USER_APIS = ("classic", "rbac")

# The argument spec every Qualys module shares; documented by the
# scanops.qualys.qualys doc fragment. Where to connect and as whom have no
# argument-spec fallback: resolve_connection() fills them in from the
# environment only where the task gave nothing, so options on the task win
# (an AWX credential's QUALYS_URL never clashes with platform on the task, and
# client_id/client_secret on the task are never mixed with an injected password).
QUALYS_AUTH_ARGSPEC = dict(
    platform=dict(type="str"),
    url=dict(type="str"),
    gateway_url=dict(type="str"),
    username=dict(type="str", aliases=["user"]),
    password=dict(type="str", no_log=True),
    client_id=dict(type="str"),
    client_secret=dict(type="str", no_log=True),
    auth_method=dict(type="str", choices=["auto", "basic", "jwt", "oidc"]),
    validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["QUALYS_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["QUALYS_CA_PATH"])),
    proxy_url=dict(type="str", fallback=(env_fallback, ["QUALYS_PROXY_URL"])),
    timeout=dict(type="int", default=60),
    max_retries=dict(type="int", default=5),
    max_wait=dict(type="int", default=300, fallback=(env_fallback, ["QUALYS_MAX_WAIT"])),
    # Which user APIs the subscription offers (enhanced RBAC retires user.php and user_list.php); never guessed.
    user_api=dict(type="str", default="classic", choices=list(USER_APIS), fallback=(env_fallback, ["QUALYS_USER_API"])),
    admin_url=dict(type="str", fallback=(env_fallback, ["QUALYS_ADMIN_URL"])),
)

QUALYS_AUTH_OPTIONS = dict(
    mutually_exclusive=[("platform", "url")],
)

# Option -> environment variable, for the options resolve_connection() fills in.
CONNECTION_ENV = {
    "platform": "QUALYS_PLATFORM",
    "url": "QUALYS_URL",
    "gateway_url": "QUALYS_GATEWAY_URL",
    "username": "QUALYS_USERNAME",
    "password": "QUALYS_PASSWORD",
    "client_id": "QUALYS_CLIENT_ID",
    "client_secret": "QUALYS_CLIENT_SECRET",
    "auth_method": "QUALYS_AUTH_METHOD",
}
AUTH_METHODS = ("auto", "basic", "jwt", "oidc")


def resolve_connection(params, environ=None):
    """``params`` with the connection options the task left unset taken from the environment.

    Options on the task (or from module_defaults) decide, in groups, so the
    environment never completes them into something the task did not ask for:

    - where: ``platform``/``url`` from the task, else from QUALYS_PLATFORM/QUALYS_URL;
      QUALYS_GATEWAY_URL only goes with an endpoint from the environment;
    - who: a username or password on the task uses only the username/password pair
      (completed from the environment), a client_id or client_secret on the task only
      the OIDC client pair; with neither on the task, both pairs come from the environment;
    - how: ``auth_method`` from the task, else QUALYS_AUTH_METHOD when the credentials
      came from the environment too, else ``auto``.

    Adds ``auth_source`` (``task`` or ``environment``) for results. Raises QualysError
    for settings that contradict each other.
    """
    environ = os.environ if environ is None else environ
    resolved = dict(params)

    def env(option):
        value = environ.get(CONNECTION_ENV[option])
        return value.strip() if value and value.strip() else None

    if not (params.get("platform") or params.get("url")):
        if env("platform") and env("url"):
            raise QualysError("QUALYS_PLATFORM and QUALYS_URL are both set: set only one of them, or set platform "
                              "or url on the task.", kind="config")
        resolved["platform"], resolved["url"] = env("platform"), env("url")
        if not params.get("gateway_url"):
            resolved["gateway_url"] = env("gateway_url")
    if resolved.get("platform"):
        resolved["platform"] = _platform_name(resolved["platform"])

    task_user = bool(params.get("username") or params.get("password"))
    task_client = bool(params.get("client_id") or params.get("client_secret"))
    pairs = []
    if task_user or not task_client:
        pairs.append(("username", "password"))
    if task_client or not task_user:
        pairs.append(("client_id", "client_secret"))
    for option in ("username", "password", "client_id", "client_secret"):
        if not any(option in pair for pair in pairs):
            resolved[option] = params.get(option) or None
        elif not params.get(option):
            resolved[option] = env(option)
    resolved["auth_source"] = "task" if task_user or task_client else "environment"

    method = params.get("auth_method")
    if not method:
        method = env("auth_method") if resolved["auth_source"] == "environment" else None
        if method and method.lower() not in AUTH_METHODS:
            raise QualysError("QUALYS_AUTH_METHOD must be one of %s, got %r." % (", ".join(AUTH_METHODS), method),
                              kind="config")
    resolved["auth_method"] = (method or "auto").lower()
    resolved.update(resolve_user_api(params))
    for first, second in (("username", "password"), ("client_id", "client_secret")):
        if bool(resolved.get(first)) != bool(resolved.get(second)):
            given, missing = (first, second) if resolved.get(first) else (second, first)
            raise QualysError("%s is set but %s is not: set %s too (or %s)." % (
                given, missing, missing, CONNECTION_ENV[missing]), kind="config")
    return resolved


def resolve_user_api(params):
    """``{"user_api", "admin_url"}`` checked before any call: a known back-end, and ``admin_url`` only with ``rbac``.

    Both come from the task or, through the argument spec's fallback, from QUALYS_USER_API and QUALYS_ADMIN_URL.
    """
    user_api = (params.get("user_api") or "classic").strip().lower()
    if user_api not in USER_APIS:
        raise QualysError("user_api (or QUALYS_USER_API) must be one of %s, got %r." % (
            ", ".join(USER_APIS), params.get("user_api")), kind="config")
    admin_url = (params.get("admin_url") or "").strip() or None
    if admin_url:
        if user_api != "rbac":
            raise QualysError(
                "admin_url (or QUALYS_ADMIN_URL) is an option of the enhanced-RBAC user back-end: it says where the "
                "Administration (adminui) user API answers, and is used only with user_api=rbac (user_api is %s). "
                "Set user_api: rbac (or QUALYS_USER_API=rbac) on an enhanced-RBAC subscription, or remove "
                "admin_url." % user_api, kind="config")
        admin_url = _validated_url(admin_url, "admin_url")
    return {"user_api": user_api, "admin_url": admin_url}


def _platform_name(value):
    """A platform code in any case (us2, Us2) as the table spells it."""
    name = value.strip().upper()
    if name not in PLATFORMS:
        raise QualysError("platform must be one of %s, got %r." % (", ".join(sorted(PLATFORMS)), value), kind="config")
    return name


# Statuses that mean "not executed, come back later": safe to repeat any call.
LIMIT_STATUSES = frozenset([409, 429])
# The longest backoff after a concurrency refusal (which announces no wait), before jitter.
LIMIT_BACKOFF_MAX = 4
# Statuses that mean "something broke": only repeat calls that are safe to repeat.
SERVER_ERROR_STATUSES = frozenset([500, 502, 503, 504])
# Backoff between repeats after server errors, lost connections and garbled replies: 0.5 s x 2^(n-1), at most 30 s.
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 30
# What a garbled reply was, for the warning that the call is sent again.
GARBLED = {formats.CUT_OFF: "a reply that breaks off", formats.PAGE: "a page instead of an API reply"}
# Responses larger than this are refused rather than parsed.
MAX_BODY_BYTES = 32 * 1024 * 1024
# A JWT lives four hours; renew a little early.
TOKEN_LIFETIME = 4 * 3600 - 300
# QPS and the gateway applications answer JSON when asked to.
ACCEPT_JSON = {"Accept": "application/json"}


class _LimitAwareRetry(Retry):
    """urllib3's retry policy, taught to read Qualys' limit headers.

    Qualys says how long to wait in ``X-RateLimit-ToWait-Sec`` (VM/PC, /msp)
    or ``Retry-After`` (gateway). A wait longer than ``max_wait`` is not
    slept: the response is handed back and becomes a clear error.

    A limit refusal means "not executed, come back later", not a failure: with
    parallel runs (AWX forks) sharing one subscription's limits it is routine.
    So waiting one out does not use up ``max_retries`` (which is for server
    errors and lost connections); instead the limit waits of one call stay
    within ``max_wait`` seconds together.
    """

    def __init__(self, *args, **kwargs):
        self.max_wait = kwargs.pop("max_wait", 300)
        self.on_wait = kwargs.pop("on_wait", None)
        self.limit_waited = kwargs.pop("limit_waited", 0.0)
        super(_LimitAwareRetry, self).__init__(*args, **kwargs)

    def new(self, **kw):
        retry = super(_LimitAwareRetry, self).new(**kw)
        retry.max_wait = self.max_wait
        retry.on_wait = self.on_wait
        retry.limit_waited = self.limit_waited
        return retry

    def get_retry_after(self, response):
        for header in ("X-RateLimit-ToWait-Sec", "Retry-After"):
            value = response.headers.get(header)
            if value is None:
                continue
            try:
                seconds = float(value)
            except ValueError:
                return None
            return seconds if seconds > 0 else None
        return None

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, Urllib3ProxyError):
            # The proxy itself cannot be reached or refused the tunnel: a configuration problem that
            # repeating does not fix; report it at once rather than after minutes of backoff.
            raise MaxRetryError(_pool, url, error)
        if response is not None and response.status in LIMIT_STATUSES:
            if not is_limit_reply(response.headers, status=response.status):
                # A 409 without exhausted limits (e.g. CODE 2003, EULA not accepted) will not pass by waiting.
                raise MaxRetryError(_pool, url, ResponseError("HTTP 409 without a limit"))
            wait = self.get_retry_after(response)
            if wait is not None and wait > self.max_wait:
                # Give the response back to the caller instead of sleeping for hours.
                raise MaxRetryError(_pool, url, ResponseError("wait of %ss exceeds max_wait" % wait))
            if self.limit_waited >= self.max_wait or self.limit_waited + (wait or 0) > self.max_wait:
                raise MaxRetryError(_pool, url, ResponseError("limit waits of this call exceed max_wait"))
            # Retried without counting against max_retries; the history still grows the backoff.
            return self.new(history=self.history + (RequestHistory(method, url, error, response.status, None),))
        return super(_LimitAwareRetry, self).increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response=None):
        announced = wait = self.get_retry_after(response) if response is not None else None
        limited = response is not None and response.status in LIMIT_STATUSES
        if wait is None and limited:
            # A concurrency refusal announces no wait: a slot frees as soon as one running call ends,
            # so keep the waits short, and spread parallel runs (AWX forks) refused together over at
            # least a second, or they come back together and are refused together again.
            wait = min(max(self.get_backoff_time(), 0.2), LIMIT_BACKOFF_MAX)
            wait += random.uniform(0, max(1.0, wait * 0.5))
        else:
            if wait is None:
                wait = max(self.get_backoff_time(), 0.2)
            # Jitter keeps parallel runs (AWX forks) from retrying in lockstep.
            wait += random.uniform(0, min(1.0, wait * 0.1))
        if limited:
            # Backoff and jitter never stretch the limit waits of one call past max_wait
            # (an announced wait is kept in full: increment() checked that it fits).
            wait = min(wait, max(self.max_wait - self.limit_waited, announced or 0))
            self.limit_waited += wait
        if self.on_wait:
            self.on_wait(wait, response)
        time.sleep(wait)


class Response:
    """What a call returns: status, headers and the decoded body text."""

    def __init__(self, status, headers, text, content_type):
        self.status = status
        self.headers = headers
        self.text = text
        self.content_type = content_type

    def limits(self):
        """The rate/concurrency limit headers of this reply, as integers."""
        names = {
            "X-RateLimit-Limit": "rate_limit",
            "X-RateLimit-Window-Sec": "rate_window_sec",
            "X-RateLimit-Remaining": "rate_remaining",
            "X-RateLimit-ToWait-Sec": "rate_to_wait_sec",
            "X-Concurrency-Limit-Limit": "concurrency_limit",
            "X-Concurrency-Limit-Running": "concurrency_running",
        }
        found = {}
        for header, key in names.items():
            value = self.headers.get(header)
            if value is not None and value.strip().lstrip("-").isdigit():
                found[key] = int(value)
        return found


class QualysClient:
    """Talks to one Qualys platform as one identity.

    ``family`` selects the authentication a path accepts:
    ``msp`` (classic user APIs, Basic only), ``fo`` (VM/PC /api/2.0),
    ``qps`` (/qps/rest), ``gateway`` (JWT-only application APIs).
    """

    def __init__(self, params, warn=None):
        if not HAS_REQUESTS:
            raise QualysError(
                "The Python library 'requests' is required on the machine that runs the task (pip install requests "
                "defusedxml). Run the task on the controller (delegate_to: localhost), where the collection's "
                "requirements are installed: %s" % REQUESTS_IMPORT_ERROR, kind="dependency")
        self.params = params
        self.warn = warn or (lambda msg: None)
        check_limits(params)
        self.api_url, self.gateway_url = resolve_endpoints(params)
        # The enhanced-RBAC user back-end: where the Administration (adminui) API answers (None: the API server).
        user_api = resolve_user_api(params)
        self.user_api, self.admin_url = user_api["user_api"], user_api["admin_url"]
        self.method = resolve_auth_method(params)
        self._token = None
        self._token_expiry = 0
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        # Qualys requires this header on /api/2.0 and clients send it everywhere.
        self._session.headers["X-Requested-With"] = USER_AGENT
        self._adapter = HTTPAdapter()
        self._session.mount("https://", self._adapter)
        self._session.mount("http://", self._adapter)
        # Passed with every request: a session-level value would lose to REQUESTS_CA_BUNDLE.
        self._verify = check_ca_path(params) if params.get("validate_certs", True) else False
        if params.get("proxy_url"):
            self._session.proxies = {"http": params["proxy_url"], "https": params["proxy_url"]}
        self.last_response = None

    # -- public calls ---------------------------------------------------

    def msp(self, script, params, write=False, idempotent=None, sensitive=False, credentials=None):
        """Call a classic ``/msp/<script>`` API; returns the parsed XML root."""
        return self._call("POST", "/msp/%s" % script, "msp", lambda reply: formats.parse_xml_reply(reply, sensitive=sensitive),
                          data=params, write=write, idempotent=idempotent, sensitive=sensitive, credentials=credentials)

    def fo(self, path, params, write=False, idempotent=None, credentials=None, json_body=None, sensitive=False):
        """Call a VM/PC ``/api/2.0/fo/...`` API (a form, or ``json_body``); returns the parsed XML root."""
        return self._call("POST", path, "fo", formats.parse_xml_reply, data=params, json_body=json_body, write=write,
                          idempotent=idempotent, credentials=credentials, sensitive=sensitive)

    def qps(self, operation, object_type, object_id=None, body=None, write=False, idempotent=None, credentials=None,
            judge=None):
        """Call a QPS REST operation (search/get/create/update/delete).

        Returns the decoded ServiceResponse dict (see qualys_formats.parse_qps_reply).
        ``judge`` replaces that decoding for a probe of an API that may not be offered (the
        role adapter's first search): a function of the raw ``Response`` that returns the
        decoded reply or raises. A page (HTML, text, nothing) is then an answer, not a
        garbled reply, so only a reply that breaks off is asked for again.
        """
        path = "/qps/rest/2.0/%s/%s" % (operation, object_type)
        if object_id is not None:
            path += "/%s" % object_id
        method = "GET" if operation == "get" else "POST"
        # Without Accept, QPS answers XML to a GET or a body-less POST.
        return self._call(method, path, "qps", judge or formats.parse_qps_reply, json_body=body if method == "POST" else None,
                          write=write, idempotent=idempotent, credentials=credentials, extra_headers=ACCEPT_JSON,
                          pages_are_answers=judge is not None)

    def qps_search(self, object_type, criteria, page_size=100, search=None):
        """All objects matching ``criteria`` (list of (field, operator, value)), following paging.

        The one QPS paging loop: each page asks for ``id GREATER`` the last id of the
        previous one while Qualys says it has more. ``search`` sends one page (a
        ServiceRequest body -> a decoded reply); the default is ``qps("search", ...)``.
        """
        search = search or (lambda body: self.qps("search", object_type, body=body))
        found = []
        last_id = None
        while True:
            query = list(criteria)
            if last_id is not None:
                query.append(("id", "GREATER", str(last_id)))
            reply = search(formats.qps_request(criteria=query, preferences={"limitResults": page_size}))
            found.extend(reply["data"])
            if not reply["has_more"] or not reply["data"]:
                return found
            last_id = reply["last_id"] or reply["data"][-1].get("id")
            if last_id is None:
                return found

    def gateway(self, method, path, params=None, json_body=None):
        """Call a gateway application API (FIM, PM, ETM) with a token.

        Returns the ``Response`` of a 2xx reply; any other reply is a QualysError with the
        code and text the application sent (``code``, ``qualys_text``, ``status``).
        """
        return self._call(method, path, "gateway", formats.check_gateway_reply, params=params, json_body=json_body,
                          extra_headers=ACCEPT_JSON)

    def request(self, method, path, family, json_body=None, write=False, extra_headers=None, base_url=None):
        """Send one call with auth, limits and retries; return the ``Response`` as it came, unchecked.

        For an API whose replies the caller reads itself (the Administration API);
        ``base_url`` sends the call to another server than the family's.
        """
        return self._call(method, path, family, None, json_body=json_body, write=write, extra_headers=extra_headers,
                          base_url=base_url)

    def issue_token(self):
        """The gateway token (JWT) for these credentials: issued on first use, kept while valid.

        Calls that need one get it themselves; the tenant check asks for it to see
        whether the gateway issues one at all.
        """
        if self._token and time.time() < self._token_expiry:
            return self._token
        self._require_gateway("Token authentication (auth_method=%s)" % self.method)
        if self.method == "oidc":
            headers = {"clientId": _utf8(self.params["client_id"]), "clientSecret": _utf8(self.params["client_secret"])}
            response = self._send("POST", self.gateway_url + "/auth/oidc", True, data=None, json_body=None, params=None,
                                  headers=headers, auth=None, sensitive=True)
        else:
            username, password = self._basic_credentials("gateway", None)
            response = self._send("POST", self.gateway_url + "/auth", True,
                                  data={"username": username, "password": password, "token": "true"},
                                  json_body=None, params=None,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=None, sensitive=True)
        if response.status not in (200, 201) or not response.text.strip():
            raise QualysError("Qualys gateway refused to issue a token (HTTP %s); check %s." % (
                response.status, "client_id and client_secret" if self.method == "oidc" else "username and password"),
                status=response.status, kind="auth")
        self._token = response.text.strip()
        self._token_expiry = time.time() + TOKEN_LIFETIME
        return self._token

    @property
    def token(self):
        """The current JWT, if one was issued (modules add it to no_log values)."""
        return self._token

    # -- transport ------------------------------------------------------

    def _call(self, method, path, family, decode, data=None, json_body=None, params=None, write=False, idempotent=None,
              sensitive=False, credentials=None, extra_headers=None, base_url=None, pages_are_answers=False):
        """Send one call with auth, limits and retries, and ``decode`` its reply (None: return it as it came).

        ``write`` marks a call that changes state. ``idempotent`` (default: not
        ``write``) says whether repeating it after an unknown outcome is safe.
        Calls rejected by a rate or concurrency limit were not executed, so they
        are always retried. ``sensitive`` keeps the body out of error messages.

        A garbled reply to a read (a body that breaks off, or a sign-in or proxy page
        with a successful status) is asked for again, like a server error: within
        ``max_retries`` for the whole call (server errors and lost connections count
        too) and after the same growing backoff. A garbled reply to a write is never
        repeated: its outcome is unknown, and the caller looks before acting again.
        """
        if idempotent is None:
            idempotent = not write
        if family == "gateway" and not base_url:
            self._require_gateway("The %s API" % path.split("/")[1].upper())
        url = (base_url or (self.gateway_url if family == "gateway" else self.api_url)) + path
        budget = _Budget(self.params)
        while True:
            response = self._exchange(method, url, family, idempotent, budget, data=data, json_body=json_body,
                                      params=params, extra_headers=extra_headers, credentials=credentials,
                                      sensitive=sensitive)
            self.last_response = response
            if decode is None:
                return response
            try:
                return decode(response)
            except QualysError as exc:
                garbled = exc.garbled if exc.garbled == formats.CUT_OFF or not pages_are_answers else None
                if garbled and write:
                    exc.outcome_unknown = True
                    exc.message += "; the change may or may not have been applied"
                if not garbled or write or budget.retries <= 0:
                    raise
            budget.retries -= 1
            wait = _backoff(budget.used())
            self.warn("Qualys answered %s (HTTP %s) to %s %s; asking again in %.1fs" % (
                GARBLED[garbled], response.status, method, path, wait))
            time.sleep(wait)

    def _exchange(self, method, url, family, idempotent, budget, data, json_body, params, extra_headers, credentials,
                  sensitive):
        """One call with its authentication: Bearer (renewed once on HTTP 401) or Basic."""
        headers = dict(extra_headers or {})
        auth = None
        use_token = self._uses_token(family, credentials)
        if use_token:
            headers["Authorization"] = "Bearer %s" % self.issue_token()
        else:
            # UTF-8, not requests' latin-1: any character of a password can be sent.
            auth = tuple(_utf8(part) for part in self._basic_credentials(family, credentials))
        response = self._send(method, url, idempotent, data=data, json_body=json_body, params=params,
                              headers=headers, auth=auth, sensitive=sensitive, budget=budget)
        if response.status == 401 and use_token:
            # A token can expire between calls: renew once, then give up.
            self._token = None
            headers["Authorization"] = "Bearer %s" % self.issue_token()
            response = self._send(method, url, idempotent, data=data, json_body=json_body, params=params,
                                  headers=headers, auth=None, sensitive=sensitive, budget=budget)
        return response

    def _send(self, method, url, idempotent, data, json_body, params, headers, auth, sensitive, budget=None):
        budget = budget or _Budget(self.params)
        retry = self._retry_policy(idempotent, budget)
        self._adapter.max_retries = retry
        try:
            reply = self._session.request(method, url, data=data, json=json_body, params=params, headers=headers,
                                          auth=auth, timeout=self.params.get("timeout") or 60, stream=True, verify=self._verify,
                                          allow_redirects=False)
            budget.spent(retry, getattr(reply.raw, "retries", None))
            text = _read_limited(reply, self.params.get("timeout") or 60, method, url, idempotent)
        except requests.exceptions.SSLError as exc:
            raise QualysError(
                "TLS verification of %s failed (%s). Set ca_path to the CA bundle that signed the server certificate; "
                "validate_certs=false turns verification off and is not recommended." % (_host(url), _short(exc)),
                kind="tls")
        except requests.exceptions.ProxyError as exc:
            proxy = _host(self.params["proxy_url"]).split("@")[-1] if self.params.get("proxy_url") else "from HTTPS_PROXY"
            raise QualysError("Cannot reach %s through the proxy (%s): %s" % (_host(url), proxy, _root_cause(exc)), kind="transport")
        except requests.exceptions.Timeout:
            raise QualysError(
                "%s %s timed out after %ss%s" % (method, _path(url), self.params.get("timeout"),
                                                 "" if idempotent else "; the change may or may not have been applied"),
                kind="timeout", outcome_unknown=not idempotent)
        except requests.exceptions.ConnectionError as exc:
            reason = _short(exc)
            if "NameResolution" in reason or "Name or service not known" in reason or "nodename nor servname" in reason:
                raise QualysError("Cannot resolve the Qualys host %s: check platform or url" % _host(url), kind="dns")
            unknown = "" if idempotent else "; the change may or may not have been applied"
            raise QualysError("Connection to %s failed during %s %s (%s)%s" % (_host(url), method, _path(url), reason, unknown),
                              kind="transport", outcome_unknown=not idempotent)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            unknown = "" if idempotent else "; the change may or may not have been applied"
            raise QualysError("The reply to %s %s was cut off or could not be decoded (%s)%s" % (method, _path(url), _short(exc), unknown),
                              kind="transport", outcome_unknown=not idempotent)
        except requests.exceptions.RetryError as exc:
            raise QualysError("%s %s kept failing after %s retries: %s" % (method, _path(url), self.params.get("max_retries"), _short(exc)),
                              kind="transport")
        except UnicodeError:
            # Never quote it: the character that could not be sent may be part of a secret.
            raise QualysError("%s %s could not be sent: a header or credential holds characters that cannot be sent "
                              "over HTTP." % (method, _path(url)), kind="config")
        return Response(reply.status_code, reply.headers, text, reply.headers.get("Content-Type", ""))

    def _retry_policy(self, idempotent, budget):
        retries = budget.retries
        statuses = set(LIMIT_STATUSES)
        if idempotent:
            statuses |= SERVER_ERROR_STATUSES
        return _LimitAwareRetry(
            total=retries,
            connect=retries,
            read=retries if idempotent else False,
            status=retries,
            other=0,
            redirect=0,
            allowed_methods=None,
            status_forcelist=statuses,
            backoff_factor=BACKOFF_FACTOR,
            backoff_max=BACKOFF_MAX,
            raise_on_status=False,
            raise_on_redirect=False,
            respect_retry_after_header=True,
            max_wait=budget.max_wait,
            limit_waited=budget.limit_waited,
            on_wait=self._announce_wait,
        )

    def _announce_wait(self, seconds, response):
        if response is None:
            self.warn("Qualys connection failed; retrying in %.1fs" % seconds)
            return
        reason = "limit reached" if response.status in LIMIT_STATUSES else "server error"
        self.warn("Qualys answered HTTP %s (%s); waiting %.1fs before retrying (%s)" % (
            response.status, reason, seconds, _limit_summary(response.headers)))

    # -- authentication ----------------------------------------------------

    def _uses_token(self, family, credentials):
        if credentials is not None or family == "msp":
            return False
        if family == "gateway":
            return True
        return self.method in ("jwt", "oidc")

    def _basic_credentials(self, family, credentials):
        if credentials is not None:
            return credentials
        username, password = self.params.get("username"), self.params.get("password")
        if not username or not password:
            raise QualysError(
                "This Qualys API (%s) accepts only Basic authentication: set username and password "
                "(or QUALYS_USERNAME and QUALYS_PASSWORD)." % family, kind="config")
        return (username, password)

    def _require_gateway(self, what):
        if not self.gateway_url:
            raise QualysError(
                "%s goes through the Qualys gateway, which is not known for url %s (not a platform's API server): "
                "set gateway_url (or QUALYS_GATEWAY_URL) to the gateway of this platform, for example "
                "https://gateway.qg1.apps.example.com." % (what, self.api_url), kind="config")


class _Budget:
    """What one call may still spend on repeats: ``max_retries`` for server errors, lost connections and garbled
    replies together, and ``max_wait`` seconds for limit waits, across every time the call is sent."""

    def __init__(self, params):
        self.max_retries = self.retries = max(int(params.get("max_retries") or 0), 0)
        self.max_wait = 300 if params.get("max_wait") is None else params["max_wait"]
        self.limit_waited = 0.0

    def spent(self, policy, final):
        """Take what urllib3 used of ``policy`` (its last state, ``final``, hangs on the reply) from the budget."""
        if final is None or not isinstance(final.total, int) or not isinstance(policy.total, int):
            return
        self.retries = max(self.retries - max(policy.total - final.total, 0), 0)
        self.limit_waited = getattr(final, "limit_waited", self.limit_waited)

    def used(self):
        return self.max_retries - self.retries


def check_limits(params):
    """Raise QualysError unless timeout, max_retries and max_wait are in range (a 0 s timeout would hang or crash)."""
    for name, lowest, accepted in (("timeout", 1, "1 or more seconds"), ("max_retries", 0, "0 or more"),
                                   ("max_wait", 0, "0 or more seconds")):
        value = params.get(name)
        if value is not None and value < lowest:
            raise QualysError("%s must be %s, got %s." % (name, accepted, value), kind="config")


def check_ca_path(params):
    """What to verify the server certificate with: the ``ca_path`` file (or directory) when set, else the system's.

    A path that names nothing is a config error before any call (requests would fail on it at the first call).
    """
    path = params.get("ca_path")
    if not path:
        return True
    if not os.path.exists(path):
        raise QualysError("ca_path (or QUALYS_CA_PATH) is %s, which does not exist: give the PEM file of the CA "
                          "certificates to trust, or leave ca_path unset to use the system's." % path, kind="config")
    if not os.access(path, os.R_OK):
        raise QualysError("ca_path (or QUALYS_CA_PATH) is %s, which cannot be read by this user: give a PEM file it can "
                          "read." % path, kind="config")
    return path


def resolve_endpoints(params):
    """(API server URL, gateway URL or None) from ``platform`` or ``url``, and ``gateway_url``.

    With ``url`` alone, the gateway is known only when ``url`` is a platform's API
    server; for a private platform it stays None until ``gateway_url`` is set, and
    token authentication and gateway APIs then fail with an error naming it.
    """
    url = params.get("url")
    gateway = params.get("gateway_url")
    if url:
        api_url = _validated_url(url, "url")
        if gateway:
            return api_url, _validated_url(gateway, "gateway_url")
        for known_api, known_gateway in PLATFORMS.values():
            if _host(known_api).lower() == _host(api_url).lower():
                return api_url, known_gateway
        return api_url, None
    platform = params.get("platform")
    if not platform:
        raise QualysError(
            "Set platform (one of %s) or url (or QUALYS_PLATFORM / QUALYS_URL). If the environment variables are set on "
            "the controller, run the task there (delegate_to: localhost): a task on a managed host does not see them."
            % ", ".join(sorted(PLATFORMS)), kind="config")
    api_url, gateway_url = PLATFORMS[_platform_name(platform)]
    if gateway:
        gateway_url = _validated_url(gateway, "gateway_url")
    return api_url, gateway_url


def resolve_auth_method(params):
    method = params.get("auth_method") or "auto"
    has_basic = bool(params.get("username") and params.get("password"))
    has_client = bool(params.get("client_id") and params.get("client_secret"))
    if method == "auto":
        method = "basic" if has_basic or not has_client else "oidc"
    if method in ("basic", "jwt") and not has_basic:
        raise QualysError("auth_method=%s needs username and password (or QUALYS_USERNAME and QUALYS_PASSWORD)." % method,
                          kind="config")
    if method == "oidc" and not has_client:
        raise QualysError("auth_method=oidc needs client_id and client_secret (or QUALYS_CLIENT_ID and QUALYS_CLIENT_SECRET).",
                          kind="config")
    return method


def _validated_url(value, name):
    value = (value or "").strip().rstrip("/")
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() != "https" or not rest:
        raise QualysError("%s must be an https:// URL such as https://qualysapi.qualys.com, got %r." % (name, value), kind="config")
    host, _sep, path = rest.partition("/")
    if not host or any(c in host for c in " @?#"):
        raise QualysError("%s must be an https:// URL with a host name, got %r." % (name, value), kind="config")
    if path.lower().startswith(("api/", "msp/", "qps/", "auth")):
        raise QualysError("%s must be the base URL of the server, without an API path: give https://%s, not %r." % (
            name, host, value), kind="config")
    return value


def _read_limited(reply, seconds, method, url, idempotent):
    """The body of ``reply``, refused beyond MAX_BODY_BYTES or when it is not complete ``seconds`` after the headers.

    The read timeout only bounds each socket read, so a body that trickles in
    byte by byte would never end: a timer shuts the socket down instead.
    """
    expired = threading.Event()

    def expire():
        expired.set()
        _shut_down(reply)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    chunks = []
    size = 0
    complete = False
    try:
        for chunk in reply.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                reply.close()
                raise QualysError("Qualys response larger than %d MiB refused" % (MAX_BODY_BYTES // (1024 * 1024)), kind="format")
            chunks.append(chunk)
            if expired.is_set():
                break
        else:
            complete = not expired.is_set()
    except (requests.exceptions.RequestException, OSError, ValueError, AttributeError):
        # Once the timer has shut the socket down, the reader fails in whatever way the
        # interrupted layer does (http.client even trips over its own closed file).
        if not expired.is_set():
            raise
    finally:
        timer.cancel()
    if not complete:
        reply.close()
        raise QualysError("%s %s: the reply was not complete after %ss%s" % (
            method, _path(url), seconds, "" if idempotent else "; the change may or may not have been applied"),
            kind="timeout", outcome_unknown=not idempotent)
    body = b"".join(chunks)
    return body.decode(reply.encoding or "utf-8", errors="replace")


def _shut_down(reply):
    """Wake a read blocked on this reply's socket (from the timer thread)."""
    sock = _reply_socket(reply)
    try:
        if sock is not None:
            # The plain socket's shutdown, below TLS: it unblocks the reader without a TLS close exchange.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        else:
            reply.close()
    except (OSError, AttributeError, TypeError):
        pass


def _reply_socket(reply):
    """The socket a streamed reply is read from, or None.

    A kept-alive connection still holds it; a reply that ends the connection
    (``Connection: close``) took it over, inside http.client's buffered file.
    """
    connection = getattr(reply.raw, "_connection", None) or getattr(reply.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:
        buffered = getattr(getattr(reply.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(buffered, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _limit_summary(headers):
    parts = []
    for header in ("X-RateLimit-Remaining", "X-RateLimit-ToWait-Sec", "X-Concurrency-Limit-Running", "X-Concurrency-Limit-Limit"):
        if headers.get(header) is not None:
            parts.append("%s=%s" % (header, headers.get(header)))
    return ", ".join(parts) or "no limit headers"


def platform_of(api_url):
    """The pod whose API server or gateway ``api_url`` is, else None (private cloud, simulator)."""
    host = _host(api_url or "").lower()
    for name, urls in PLATFORMS.items():
        if host in (_host(urls[0]), _host(urls[1])):
            return name
    return None


def _host(url):
    return url.split("://", 1)[-1].split("/", 1)[0]


def _path(url):
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"


def _backoff(repeat):
    """Seconds to wait before the ``repeat``-th repeat of a call: urllib3's backoff (none for the first), at least
    0.2 s, with jitter so that parallel runs do not come back in lockstep."""
    wait = min(BACKOFF_FACTOR * 2 ** (repeat - 1), BACKOFF_MAX) if repeat > 1 else 0
    wait = max(wait, 0.2)
    return wait + random.uniform(0, min(1.0, wait * 0.1))


def _utf8(value):
    """A credential as UTF-8 bytes (a value read from the environment may carry undecodable bytes: kept as they were)."""
    try:
        return value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
    except UnicodeError:
        # Never quote it: it is a secret.
        raise QualysError("A credential holds characters that cannot be sent over HTTP.", kind="config")


def _short(exc):
    text = str(exc)
    return text if len(text) < 300 else text[:300] + "..."


def _root_cause(exc):
    """The innermost reason of a connection error, once ("Connection refused"), not urllib3's nested repetition."""
    text = str(exc)
    found = re.findall(r"\[Errno -?\d+\] ([^\"')\]]+)", text)
    if found:
        return found[-1].strip()
    for phrase in ("Tunnel connection failed: [^\"')]+", "Unable to connect to proxy", "Cannot connect to proxy"):
        match = re.search(phrase, text)
        if match:
            return match.group(0).strip()
    return _short(exc)
