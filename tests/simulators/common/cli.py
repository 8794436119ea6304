# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command line entry point shared by the simulators (``python -m simulators.<name>``)."""

import argparse
import json
import os
import signal
import sys
import threading

from .server import SimulatorServer
from .tls import ca_dir_for, ensure_ca, ensure_server_cert, server_ssl_context


def base_parser(prog, description):
    """The options every simulator accepts; a service may add its own."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (0 = pick a free one)")
    parser.add_argument("--state-dir", required=True, help="directory for state.json and the server certificate")
    parser.add_argument("--ready-file", help="write {url, ca_path, pid} here (atomically) once listening")
    parser.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    parser.add_argument("--seed", type=int, default=None, help="seed for generated values (logins, passwords, ids)")
    parser.add_argument("--verbose", action="store_true", help="log each request (never credentials) to stderr")
    return parser


def write_ready_file(path, data):
    """Write ``data`` as JSON to ``path`` so a reader never sees a partial file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def build_server(app, args):
    """Create the (TLS) server for ``app`` from parsed base options; return (server, ca_path)."""
    ca_path = None
    ssl_context = None
    if not args.http:
        ca_dir = ca_dir_for(args.state_dir)
        ca_path, _ca_key = ensure_ca(ca_dir)
        cert_path, key_path = ensure_server_cert(ca_dir, os.path.join(args.state_dir, "tls"), [args.host])
        ssl_context = server_ssl_context(cert_path, key_path)
    server = SimulatorServer(app, args.host, args.port, ssl_context, verbose=args.verbose)
    return server, ca_path


def run_simulator(make_app, argv=None, prog=None, description=None, add_arguments=None):
    """Parse options, start the server, write the ready file, serve until SIGTERM/SIGINT.

    ``make_app(args)`` returns the ServiceApp; ``add_arguments(parser)`` adds
    service options.  Returns the process exit code.
    """
    parser = base_parser(prog, description)
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    os.makedirs(args.state_dir, exist_ok=True)
    app = make_app(args)
    server, ca_path = build_server(app, args)

    stop = threading.Event()

    def _on_signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    url = server.base_url()
    if args.ready_file:
        write_ready_file(args.ready_file, {"url": url, "ca_path": ca_path, "pid": os.getpid(), "service": app.name})
    sys.stderr.write("%s simulator listening on %s (state %s)\n" % (app.name, url, args.state_dir))
    sys.stderr.flush()
    try:
        while not stop.wait(0.5):
            if not thread.is_alive():
                break
    finally:
        server.shutdown()
        server.server_close()
        app.close()
        if args.ready_file:
            try:
                os.unlink(args.ready_file)
            except FileNotFoundError:
                pass
    return 0
