# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP(S) server shared by the simulators: control API, counting, latency, faults."""

import socket
import ssl
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .app import Request, Response, json_response, text_response
from .faults import COMMON_FAULT_KINDS, PROCESSED_FAULT_KINDS, FaultConfigError, FaultPlan
from .stats import CallStats

CONTROL_PREFIX = "/_sim/"
COMMON_CONFIG = {"latency_ms": 0, "slow_seconds": 5.0}
MAX_BODY = 64 * 1024 * 1024

DEFAULT_FAULT_BODIES = {
    "429": (429, "Too Many Requests"),
    "500": (500, "Internal Server Error"),
    "503": (503, "Service Unavailable"),
}

HTML_ERROR_PAGE = (
    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n"
    "<title>502 Proxy Error</title>\n</head><body>\n<h1>Proxy Error</h1>\n"
    "<p>The proxy server received an invalid response from an upstream server.</p>\n"
    "</body></html>\n"
)


def _number(value, name, minimum=0):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ValueError("%s must be a number >= %s" % (name, minimum))
    return value


class SimulatorServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer bound to one ServiceApp.

    Pass ``ssl_context`` for HTTPS: the TLS handshake runs in the request
    thread, so a stalled client never blocks the accept loop.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, app, host="127.0.0.1", port=0, ssl_context=None, verbose=False):
        self.app = app
        self.ssl_context = ssl_context
        self.verbose = verbose
        self.stats = CallStats()
        self.faults = FaultPlan(tuple(COMMON_FAULT_KINDS) + tuple(app.extra_fault_kinds))
        self.config_lock = threading.Lock()
        self.config = dict(COMMON_CONFIG)
        self.config.update(app.default_config())
        app.config = self.config
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        super().__init__((host, port), SimHandler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        # Failed TLS handshakes (e.g. a client that does not trust the CA) are expected.
        exc = sys.exc_info()[1]
        if self.verbose or not isinstance(exc, (OSError, ssl.SSLError)):
            super().handle_error(request, client_address)

    @property
    def port(self):
        return self.server_address[1]

    def base_url(self, host=None):
        host = host or self.server_address[0]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = "[%s]" % host
        scheme = "https" if self.ssl_context is not None else "http"
        return "%s://%s:%d" % (scheme, host, self.port)

    def update_config(self, body):
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        checked = {}
        for key, value in body.items():
            if key not in self.config:
                raise ValueError("unknown setting %r; known: %s" % (key, ", ".join(sorted(self.config))))
            if key in COMMON_CONFIG:
                checked[key] = _number(value, key)
            else:
                checked[key] = self.app.validate_config(key, value)
        with self.config_lock:
            self.config.update(checked)
            return dict(self.config)


class SimHandler(BaseHTTPRequestHandler):
    """Routes /_sim/ to the control API and everything else to the app."""

    protocol_version = "HTTP/1.1"
    server_version = "scanops-sim"
    sys_version = ""

    # Idle keep-alive connections and stalled TLS handshakes end after this.
    timeout = 300

    def setup(self):
        super().setup()
        self.connection_dropped = False
        # Headers and body are separate writes; without NODELAY each reply waits on a delayed ACK.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, TimeoutError, OSError) as exc:
            # TLS handshake failures and clients that went away are normal in fault tests.
            if self.server.verbose:
                sys.stderr.write("connection error from %s: %s\n" % (self.client_address, exc))

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    # Every method goes through one dispatcher.
    def do_GET(self):  # noqa: N802 pylint: disable=invalid-name
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def _dispatch(self):
        try:
            body = self._read_body()
        except ValueError:
            self._send(text_response("bad request body", 400))
            return
        request = Request(self.command, self.path, self.headers, body, self.client_address)
        if request.path.startswith(CONTROL_PREFIX) or request.path == CONTROL_PREFIX.rstrip("/"):
            self._send(self._control(request))
            return
        self._service(request)

    # --- service calls -------------------------------------------------
    def _service(self, request):
        server = self.server
        app = server.app
        call = app.classify(request)
        fault = server.faults.pick(call)
        call.fault = fault
        if fault == "reset_before_reply":
            call.status = 0
            server.stats.record(call)
            self._abort(reset=True)
            return
        if fault == "hold":
            # The call waits unprocessed (a client killed meanwhile never got it through), then is refused.
            time.sleep(float(server.config.get("slow_seconds") or 0))
        with app.in_flight(request, call) as refusal:
            if refusal is not None:
                response = refusal
            elif fault is not None and fault not in PROCESSED_FAULT_KINDS:
                reply_kind = "503" if fault == "hold" else fault
                response = app.fault_response(reply_kind, request, call) or self._default_fault(reply_kind)
            else:
                response = self._run_app(request, call)
            self._pause(fault)
        if fault == "drop_after_write":
            call.status = 0
            server.stats.record(call)
            self._abort(reset=False)
            return
        if fault == "malformed":
            response = self._malformed(response)
        call.status = response.status
        server.stats.record(call)
        self._send(response)

    def _run_app(self, request, call):
        try:
            return self.server.app.handle(request, call)
        except Exception:  # pylint: disable=broad-exception-caught
            # A simulator bug must show as a 500 and a traceback, not a hung client.
            traceback.print_exc(file=sys.stderr)
            return text_response("simulator internal error", 500)

    def _pause(self, fault):
        config = self.server.config
        delay = float(config.get("latency_ms") or 0) / 1000.0
        if fault == "slow":
            delay += float(config.get("slow_seconds") or 0)
        if delay > 0:
            time.sleep(delay)

    @staticmethod
    def _default_fault(kind):
        if kind == "html_error":
            return Response(502, HTML_ERROR_PAGE, "text/html; charset=iso-8859-1")
        status, text = DEFAULT_FAULT_BODIES.get(kind, (500, "Internal Server Error"))
        return text_response(text, status)

    @staticmethod
    def _malformed(response):
        body = response.body or b"<"
        cut = max(1, len(body) // 2)
        truncated = body[:cut]
        if truncated == body:
            truncated = body + b"\x00<<"
        return Response(200, truncated, response.content_type or "application/xml", {})

    def _abort(self, reset):
        """Close the connection without a reply (RST when ``reset``)."""
        self.close_connection = True
        self.connection_dropped = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    def finish(self):
        if self.connection_dropped:
            return
        try:
            super().finish()
        except OSError:
            pass

    def _send(self, response):
        body = response.body
        try:
            self.send_response(response.status)
            if response.content_type:
                self.send_header("Content-Type", response.content_type)
            for name, value in response.headers.items():
                self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and body:
                self.wfile.write(body)
        except OSError:
            self.close_connection = True

    # --- control API ---------------------------------------------------
    def _control(self, request):
        server = self.server
        sub = request.path[len(CONTROL_PREFIX):].strip("/") if request.path.startswith(CONTROL_PREFIX) else ""
        route = (request.method, sub)
        try:
            if route == ("GET", "health"):
                return json_response({"ok": True, "service": server.app.name})
            if route == ("GET", "stats"):
                return json_response(server.stats.snapshot())
            if route == ("POST", "stats/reset"):
                server.stats.reset()
                return json_response(server.stats.snapshot())
            if route == ("GET", "faults"):
                return json_response(server.faults.describe())
            if route == ("POST", "faults"):
                server.faults.configure(_json_body(request))
                return json_response(server.faults.describe())
            if route == ("DELETE", "faults"):
                server.faults.clear()
                return json_response(server.faults.describe())
            if route == ("GET", "config"):
                return json_response(dict(server.config))
            if route == ("POST", "config"):
                return json_response(server.update_config(_json_body(request)))
            if route == ("GET", "state"):
                return json_response(server.app.dump_state())
            if route == ("POST", "state/reset"):
                server.app.reset_state()
                return json_response({"reset": True})
            if route == ("POST", "seed"):
                return json_response(server.app.seed(_json_body(request)))
            if route == ("GET", "secrets"):
                return json_response({"secrets": sorted(set(server.app.secrets()))})
            response = server.app.control(request, sub)
            if response is not None:
                return response
            return json_response({"error": "no control route %s /_sim/%s" % route}, 404)
        except (ValueError, FaultConfigError, KeyError, TypeError) as exc:
            return json_response({"error": str(exc)}, 400)


def _json_body(request):
    if not request.body:
        return {}
    try:
        return request.json()
    except ValueError as exc:
        raise ValueError("body is not JSON: %s" % exc) from exc
