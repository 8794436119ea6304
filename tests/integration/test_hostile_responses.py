# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile replies: a small HTTPS server started here answers every Qualys call with something nasty.

Each case runs a real module process (the module file run as Ansible runs it,
with its arguments in a file) inside a wrapper that reports the wall time and
the peak RSS of that one process (``getrusage(RUSAGE_CHILDREN)``). Every case
must end in a clear error within a time and a memory bound. One
ansible-playbook run of all the cases shows what a user reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import COLLECTIONS, link_collection
from reliability import find_leaks, play_texts, record_figures
from simulators.common import ensure_ca, ensure_server_cert
from simulators.common.tls import server_ssl_context

MIB = 1024 * 1024
PASSWORD = "Hostile-Test-Pa55word"

BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
                  + "".join('<!ENTITY lol%d "%s">\n' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10))
                  + ']>\n<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST><ASSET_GROUP><ID>1</ID>'
                  '<TITLE>&lol9;</TITLE></ASSET_GROUP></ASSET_GROUP_LIST></RESPONSE></ASSET_GROUP_LIST_OUTPUT>')
EXTERNAL_ENTITY = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
                   '<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST><ASSET_GROUP><ID>1</ID><TITLE>&secret;</TITLE>'
                   '</ASSET_GROUP></ASSET_GROUP_LIST></RESPONSE></ASSET_GROUP_LIST_OUTPUT>')
PARAMETER_ENTITY = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % remote SYSTEM "https://127.0.0.1:1/evil.dtd"> %remote;]>\n'
                    '<ASSET_GROUP_LIST_OUTPUT/>')
HTML_502 = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
HTML_LOGIN = "<html><head><title>Qualys - Sign in</title></head><body><form action='/login'></form></body></html>"
DEEP = 200000


_BOMB = []


def gzip_bomb():
    """512 MiB of zeros in about 500 KiB: the client must stop decoding at its 32 MiB cap (made once, before serving)."""
    if not _BOMB:
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: gzip framing
        zeros = b"\0" * MIB
        _BOMB.append(b"".join([compressor.compress(zeros) for dummy in range(512)] + [compressor.flush()]))
    return _BOMB[0]


class Hostile(BaseHTTPRequestHandler):
    """The first path segment names the case: /billion/api/2.0/fo/asset/group/ -> billion."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.answer()

    def do_POST(self):
        self.answer()

    def send(self, status, body, content_type, headers=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        case = self.path.strip("/").split("/")[0]
        xml = "text/xml;charset=UTF-8"
        if case == "billion":
            self.send(200, BILLION_LAUGHS, xml)
        elif case == "xxe":
            self.send(200, EXTERNAL_ENTITY, xml)
        elif case == "dtd":
            self.send(200, PARAMETER_ENTITY, xml)
        elif case == "huge":
            self.stream(200, xml, 48 * MIB)
        elif case == "gzip":
            self.send(200, gzip_bomb(), xml, {"Content-Encoding": "gzip"})
        elif case == "json":
            self.send(200, '{"ServiceResponse": {"responseCode": "SUCCESS", "data": []}}', "application/json")
        elif case == "html502":
            self.send(502, HTML_502, "text/html")
        elif case == "html200":
            self.send(200, HTML_LOGIN, "text/html; charset=utf-8")
        elif case == "binary":
            self.send(200, b"\x89PNG\r\n\x1a\n" + os.urandom(4096), "application/octet-stream")
        elif case == "deepxml":
            self.send(200, "<ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><data><Tag><id>1</id>"
                      + "<x>" * DEEP + "</x>" * DEEP + "</Tag></data></ServiceResponse>", "application/xml")
        elif case == "deepjson":
            self.send(200, '{"ServiceResponse": {"responseCode": "SUCCESS", "count": 1, "data": ' + "[" * DEEP + "]" * DEEP + "}}",
                      "application/json")
        elif case == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", xml)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<ASSET_GROUP_LIST_OUTPUT><RESPONSE>")
            self.close_connection = True
        elif case == "drip":
            self.drip(xml)
        else:
            self.send(404, "no such case", "text/plain")

    def stream(self, status, content_type, size):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"<A>" + b"x" * (MIB - 7) + b"</A>"
        try:
            for dummy in range(size // MIB):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError, socket.error):
            pass

    def drip(self, content_type):
        """A reply that never ends: one byte every 0.2 s (each read is on time, the whole never is)."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(10 * MIB))
        self.end_headers()
        try:
            for dummy in range(600):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError, socket.error):
            pass


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    gzip_bomb()
    base = tmp_path_factory.mktemp("hostile")
    ca_path, _ca_key = ensure_ca(str(base / "ca"))
    cert, key = ensure_server_cert(str(base / "ca"), str(base / "tls"), ["127.0.0.1"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    context = server_ssl_context(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": "https://127.0.0.1:%d" % server.server_address[1], "ca_path": ca_path}
    server.shutdown()


# (case, module, what the message must say, time bound in seconds)
CASES = [
    ("billion", "qualys_asset_group_info", "Refused an unsafe XML reply from Qualys (EntitiesForbidden)", 10),
    ("xxe", "qualys_asset_group_info", "Refused an unsafe XML reply from Qualys", 10),
    ("dtd", "qualys_asset_group_info", "Refused an unsafe XML reply from Qualys", 10),
    ("huge", "qualys_asset_group_info", "Qualys response larger than 32 MiB refused", 20),
    ("gzip", "qualys_asset_group_info", "Qualys response larger than 32 MiB refused", 20),
    ("json", "qualys_asset_group_info", "Unexpected reply from Qualys: HTTP 200, application/json", 10),
    ("html502", "qualys_asset_group_info", "Unexpected reply from Qualys: HTTP 502, text/html: 502 Bad Gateway", 15),
    ("html200", "qualys_asset_group_info", "Unexpected reply from Qualys: HTTP 200, text/html; charset=utf-8: Qualys - Sign in", 10),
    ("binary", "qualys_asset_group_info", "Unexpected reply from Qualys: HTTP 200, application/octet-stream", 10),
    ("not-found", "qualys_tag_info", "Unexpected reply from Qualys: HTTP 404, text/plain", 10),
    ("deepxml", "qualys_tag_info", "Qualys sent XML nested too deeply to be read", 15),
    ("deepjson", "qualys_tag_info", "Qualys sent JSON", 15),
    ("truncated", "qualys_asset_group_info", "was cut off", 15),
    ("drip", "qualys_asset_group_info", "the reply was not complete after 3s", 15),
]
MEMORY_BOUND_MIB = 128


def module_args(hostile, case):
    return {"url": hostile["url"] + "/" + case, "username": "scanops_admin", "password": PASSWORD, "ca_path": hostile["ca_path"],
            "timeout": 3, "max_retries": 1, "max_wait": 2}


MEASURE = r'''
import json, resource, subprocess, sys, time
started = time.time()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
print(json.dumps({"seconds": time.time() - started, "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr}))
'''


def run_module(module, args, tmp_path):
    """Run one module file as Ansible does (arguments in a JSON file); return its result plus time and peak memory."""
    args_file = tmp_path / ("%s-args.json" % module)
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=True)}))
    module_file = os.path.join(link_collection(), "ansible_collections", "scanops", "qualys", "plugins", "modules", module + ".py")
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    started = time.time()
    try:
        done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, module_file, str(args_file)],
                              capture_output=True, text=True, timeout=60, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"seconds": time.time() - started, "peak_kib": 0, "rc": None, "stdout": "", "stderr": "",
                "result": {"msg": "no answer after 60 s"}}
    measured = json.loads(done.stdout)
    try:
        measured["result"] = json.loads(measured["stdout"])
    except ValueError:
        measured["result"] = {"msg": "not JSON: " + measured["stdout"][-500:] + measured["stderr"][-2000:]}
    return measured


def test_hostile_replies_end_in_clear_errors_within_time_and_memory_bounds(hostile, tmp_path):
    figures = {}
    problems = []
    for case, module, expected, seconds in CASES:
        measured = run_module(module, module_args(hostile, case), tmp_path)
        message = measured["result"].get("msg", "")
        peak_mib = measured["peak_kib"] / 1024.0
        figures[case] = {"seconds": round(measured["seconds"], 2), "peak_mib": round(peak_mib, 1), "message": message[:160]}
        if not measured["result"].get("failed") or expected not in message:
            problems.append("%s: %r (expected %r)" % (case, message, expected))
        if "Traceback" in measured["stdout"] + measured["stderr"]:
            problems.append("%s: traceback" % case)
        if measured["seconds"] > seconds:
            problems.append("%s: took %.1fs (bound %ss)" % (case, measured["seconds"], seconds))
        if peak_mib > MEMORY_BOUND_MIB:
            problems.append("%s: peak memory %.0f MiB (bound %s MiB)" % (case, peak_mib, MEMORY_BOUND_MIB))
        if PASSWORD in json.dumps(measured):
            problems.append("%s: the password is in the module output" % case)
    record_figures("hostile", figures)
    assert problems == [], "\n".join(problems) + "\n" + json.dumps(figures, indent=1)


def test_a_play_shows_each_hostile_reply_as_a_clear_failure(hostile, run_play, tmp_path):
    tasks = [{"name": case, "scanops.qualys.%s" % module: module_args(hostile, case), "ignore_errors": True}
             for case, module, _expected, _seconds in CASES if case not in ("huge", "gzip", "drip")]
    log = str(tmp_path / "ansible.log")
    result = run_play(tasks, env={"ANSIBLE_LOG_PATH": log}, verbosity=3)
    for case, _module, expected, _seconds in CASES:
        if case in ("huge", "gzip", "drip"):
            continue
        entry = [t for t in result.tasks if t["task"] == case][0]
        assert entry["status"] == "failed" and expected in entry["result"]["msg"], (case, entry["result"].get("msg"))
    assert "Traceback" not in result.output and "MODULE FAILURE" not in result.output
    assert find_leaks(play_texts(result, log), [PASSWORD]) == []
