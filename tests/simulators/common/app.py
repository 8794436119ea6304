# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small contract between the common server and one simulated service.

A service (Qualys, OCI, ...) subclasses ``ServiceApp`` and implements at least
``classify`` and ``handle``.  The common server owns HTTP, TLS, the ``/_sim/``
control API, call counting, latency and fault injection.
"""

import base64
import binascii
import contextlib
import json
from urllib.parse import parse_qsl, urlsplit


class Request:
    """One HTTP request, fully read.

    ``headers`` is case-insensitive (an ``email.message.Message``).  Query
    and form parameters keep only the last value of a repeated name, as the
    Qualys docs say the service does; ``query_pairs``/``form_pairs`` keep all.
    """

    def __init__(self, method, target, headers, body, client_address=None):
        self.method = method.upper()
        self.target = target
        split = urlsplit(target)
        self.path = split.path or "/"
        self.query_string = split.query
        self.headers = headers
        self.body = body or b""
        self.client_address = client_address
        self.query_pairs = parse_qsl(split.query, keep_blank_values=True)
        self._form_pairs = None

    def header(self, name, default=None):
        value = self.headers.get(name)
        return default if value is None else value

    @property
    def content_type(self):
        return (self.header("Content-Type", "") or "").split(";")[0].strip().lower()

    @property
    def form_pairs(self):
        """Pairs from an ``application/x-www-form-urlencoded`` body (or a body with no type)."""
        if self._form_pairs is None:
            pairs = []
            if self.body and self.content_type in ("", "application/x-www-form-urlencoded"):
                try:
                    pairs = parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)
                except (UnicodeDecodeError, ValueError):
                    pairs = []
            self._form_pairs = pairs
        return self._form_pairs

    def query(self):
        return dict(self.query_pairs)

    def params(self):
        """Query string then form body, merged; a later instance of a name wins."""
        merged = dict(self.query_pairs)
        merged.update(dict(self.form_pairs))
        return merged

    def json(self):
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        if not self.body:
            raise ValueError("empty body")
        return json.loads(self.body.decode("utf-8"))

    def basic_auth(self):
        """(login, password) from a Basic Authorization header, or None."""
        value = self.header("Authorization", "")
        scheme, _sep, token = value.partition(" ")
        if scheme.lower() != "basic" or not token.strip():
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        login, sep, password = decoded.partition(":")
        if not sep:
            return None
        return login, password

    def bearer_token(self):
        value = self.header("Authorization", "")
        scheme, _sep, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()


class Response:
    """What the service answers.  ``body`` may be bytes or str (UTF-8)."""

    def __init__(self, status=200, body=b"", content_type="text/plain; charset=utf-8", headers=None):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        self.content_type = content_type
        self.headers = dict(headers or {})


def json_response(data, status=200, headers=None):
    return Response(status, json.dumps(data, indent=1, sort_keys=False), "application/json", headers)


def text_response(text, status=200, content_type="text/plain; charset=utf-8", headers=None):
    return Response(status, text, content_type, headers)


def template_path(path):
    """``path`` with each purely numeric segment written ``{id}`` (for endpoint keys)."""
    parts = path.split("/")
    return "/".join("{id}" if part.isdigit() else part for part in parts)


class CallInfo:
    """How one call is counted and matched by fault rules.

    ``endpoint`` is the ``by_endpoint`` key: ``"<METHOD> <endpoint_path>"``
    plus ``"?action=<action>"`` when the API has an action parameter.
    ``kind`` is ``read``, ``write`` or ``auth``.  ``status`` is filled in by
    the server (0 = the connection was closed without a reply).
    """

    def __init__(self, request, endpoint_path=None, action=None, kind="read", user=None):
        self.method = request.method
        self.path = request.path
        self.endpoint_path = endpoint_path or template_path(request.path)
        self.action = action
        self.kind = kind
        self.user = user
        self.status = None
        self.fault = None
        # Parameter names only (never values): lets tests assert "only that field was sent".
        try:
            self.params = sorted(request.params())
        except ValueError:
            self.params = []

    @property
    def endpoint(self):
        key = "%s %s" % (self.method, self.endpoint_path)
        if self.action:
            key += "?action=%s" % self.action
        return key


class ServiceApp:  # pylint: disable=unused-argument
    """Base class of a simulated service.  Override what the service needs.

    The server sets ``self.config`` (a dict holding the common keys
    ``latency_ms`` and ``slow_seconds`` plus ``default_config()``) before the
    first request; read it on every call, it changes at run time.
    """

    name = "service"
    # Fault kinds the service adds to COMMON_FAULT_KINDS (answered by fault_response).
    extra_fault_kinds = ()

    def __init__(self):
        self.config = {}

    def default_config(self):
        """Service-specific settings for /_sim/config and their defaults."""
        return {}

    def validate_config(self, key, value):
        """Return the value to store for ``key`` or raise ValueError."""
        return value

    def classify(self, request):
        """Return a CallInfo for ``request`` (before auth; ``user`` may be a guess)."""
        kind = "read" if request.method in ("GET", "HEAD") else "write"
        return CallInfo(request, None, None, kind, None)

    def handle(self, request, call):
        """Serve ``request``; may set ``call.user``.  Return a Response."""
        raise NotImplementedError

    @contextlib.contextmanager
    def in_flight(self, request, call):
        """Wrap the processing of one call (latency and slow faults sleep inside).

        Yield None to proceed, or a Response to answer instead (e.g. a
        concurrency-limit refusal).  The default tracks nothing.
        """
        yield None

    def fault_response(self, kind, request, call):
        """Body for an HTTP-status fault kind, or None for the common default."""
        return None

    def dump_state(self):
        """The whole object store as JSON-serialisable data (GET /_sim/state)."""
        return {}

    def reset_state(self):
        """Back to an empty service (POST /_sim/state/reset)."""

    def seed(self, body):
        """Bulk-create filler objects (POST /_sim/seed); return a summary dict."""
        raise ValueError("seeding is not supported by %s" % self.name)

    def secrets(self):
        """Every secret value the service holds (GET /_sim/secrets)."""
        return []

    def control(self, request, subpath):
        """Extra /_sim/<subpath> routes; return a Response or None (404)."""
        return None

    def close(self):
        """Called once at shutdown (save state, stop timers)."""
