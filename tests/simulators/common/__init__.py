# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared infrastructure of the local API simulators (see tests/simulators/README.md).

Stable API: ServiceApp, Request, Response, CallInfo, json_response,
text_response, template_path, JsonStateFile, run_simulator, SimulatorServer, build_server,
SimulatorProcess, COMMON_FAULT_KINDS.  Everything else is internal.
"""

from .app import CallInfo, Request, Response, ServiceApp, json_response, template_path, text_response
from .cli import base_parser, build_server, run_simulator, write_ready_file
from .faults import COMMON_FAULT_KINDS
from .process import SimulatorError, SimulatorProcess
from .server import SimulatorServer
from .store import JsonStateFile
from .tls import ca_dir_for, ensure_ca, ensure_server_cert

__all__ = [
    "COMMON_FAULT_KINDS",
    "CallInfo",
    "JsonStateFile",
    "Request",
    "Response",
    "ServiceApp",
    "SimulatorError",
    "SimulatorProcess",
    "SimulatorServer",
    "base_parser",
    "build_server",
    "ca_dir_for",
    "ensure_ca",
    "ensure_server_cert",
    "json_response",
    "run_simulator",
    "template_path",
    "text_response",
    "write_ready_file",
]
