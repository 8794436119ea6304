# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every Qualys call goes through the proxy: proxy_url, HTTPS_PROXY, and NO_PROXY bypass.

The module is pointed at ``https://localhost:<closed port>``: nothing listens
there, so a call succeeds only when it goes through the test's CONNECT proxy,
which forwards that one target to the simulator. A single call that bypassed
the proxy would fail the check it belongs to.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import select
import socket
import socketserver
import threading

import pytest

MODULE = "scanops.qualys.qualys_connection_info"
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "QUALYS_PROXY_URL")


class ConnectProxy(socketserver.ThreadingTCPServer):
    """A tiny HTTP CONNECT proxy on 127.0.0.1 that counts its tunnels.

    ``routes`` maps a requested ``host:port`` to the address really dialled;
    other targets are refused with 403, plain HTTP requests with 405.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, routes):
        socketserver.ThreadingTCPServer.__init__(self, ("127.0.0.1", 0), _TunnelHandler)
        self.routes = routes
        self.tunnels = []
        self.refused = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def record(self, kind, target):
        with self.lock:
            (self.tunnels if kind == "tunnel" else self.refused).append(target)

    def stop(self):
        self.shutdown()
        self.server_close()


class _TunnelHandler(socketserver.BaseRequestHandler):

    def handle(self):
        client = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
            if len(head) > 65536:
                return
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split()
        if len(parts) != 3 or parts[0].upper() != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            self.server.record("refused", request_line)
            return
        target = parts[1]
        if target not in self.server.routes:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            self.server.record("refused", target)
            return
        upstream = socket.create_connection(self.server.routes[target], timeout=10)
        self.server.record("tunnel", target)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        rest = head.split(b"\r\n\r\n", 1)[1]
        if rest:
            upstream.sendall(rest)
        self._relay(client, upstream)

    @staticmethod
    def _relay(client, upstream):
        sockets = [client, upstream]
        try:
            while True:
                readable, _w, broken = select.select(sockets, [], sockets, 30)
                if broken or not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()


def closed_port():
    """A local port nothing listens on (bound and released at once)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.fixture
def clean_proxy_env(monkeypatch):
    """No proxy settings from this machine reach ansible-playbook; each task sets its own."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def proxies(qualys_sim):
    """Two proxies (one per way of configuring it) that reach the simulator as https://localhost:<closed port>."""
    sim_port = int(qualys_sim.url.rsplit(":", 1)[1])
    port = closed_port()
    routes = {"localhost:%d" % port: ("127.0.0.1", sim_port)}
    first, second = ConnectProxy(routes), ConnectProxy(routes)
    yield port, first, second
    first.stop()
    second.stop()


def task(name, environment=None, **args):
    entry = {"name": name, MODULE: args, "register": name}
    if environment:
        entry["environment"] = environment
    return entry


def test_calls_go_through_the_proxy(qualys_sim, qualys_auth, run_play, clean_proxy_env, proxies):
    port, option_proxy, env_proxy = proxies
    hidden = "https://localhost:%d" % port
    client = qualys_sim.control("POST", "oidc_clients", {"login": qualys_auth["username"]})
    res = run_play([
        task("by_option", url=hidden, gateway_url=hidden, proxy_url=option_proxy.url),
        task("by_option_oidc", url=hidden, gateway_url=hidden, proxy_url=option_proxy.url, auth_method="oidc",
             client_id=client["client_id"], client_secret=client["client_secret"]),
        task("by_https_proxy", url=hidden, gateway_url=hidden, environment={"HTTPS_PROXY": env_proxy.url}),
        task("by_qualys_proxy_url", url=hidden, gateway_url=hidden, environment={"QUALYS_PROXY_URL": option_proxy.url}),
        task("option_beats_no_proxy", url=hidden, gateway_url=hidden, proxy_url=option_proxy.url, environment={"NO_PROXY": "localhost"}),
        task("no_proxy_bypass", environment={"HTTPS_PROXY": env_proxy.url, "NO_PROXY": "127.0.0.1"}),
        task("without_proxy", url=hidden, gateway_url=hidden, applications=["vmdr", "fim"], max_retries=0),
    ], module_defaults={"group/scanops.qualys.qualys": qualys_auth})
    assert res.rc == 0 and res.failed == 0, res

    for name in ("by_option", "by_option_oidc", "by_https_proxy", "by_qualys_proxy_url", "option_beats_no_proxy",
                 "no_proxy_bypass"):
        out = res.task(name)
        assert out["healthy"] is True, (name, out["summary"])
    # Four runs through the option's proxy, one through HTTPS_PROXY; the NO_PROXY run dialled the simulator itself.
    target = "localhost:%d" % port
    assert option_proxy.refused == [] and env_proxy.refused == []
    assert set(option_proxy.tunnels) == {target} and 4 <= len(option_proxy.tunnels) <= 4 * 6
    assert set(env_proxy.tunnels) == {target} and 1 <= len(env_proxy.tunnels) <= 6
    assert res.task("by_option")["platform"]["api_url"] == hidden

    # Without a proxy the hidden address is unreachable, and the result says where to look.
    alone = res.task("without_proxy")
    assert alone["healthy"] is False
    for name in ("vmdr", "fim"):
        app = alone["applications"][name]
        assert app["reason"] == "unreachable" and app["http_status"] is None and "proxy_url" in app["fix"]
        assert "localhost:%d" % port in app["error_text"]
    # Six healthy runs of five calls each reached the simulator, and none of them wrote.
    assert qualys_sim.stats()["calls"] and qualys_sim.writes() == 0
    assert len([c for c in qualys_sim.stats()["calls"] if c["path"] == "/api/2.0/fo/asset/host/vm/detection/"]) == 6
