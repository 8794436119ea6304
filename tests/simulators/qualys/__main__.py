# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m simulators.qualys``: run the Qualys simulator."""

import os
import sys

from simulators.common import JsonStateFile, run_simulator

from .app import DEFAULT_ADMIN_LOGIN, DEFAULT_ADMIN_PASSWORD, QualysApp


def _add_arguments(parser):
    parser.add_argument("--admin-login", default=DEFAULT_ADMIN_LOGIN, help="login of the subscription's Manager")
    parser.add_argument("--admin-password", default=DEFAULT_ADMIN_PASSWORD, help="its password")


def make_app(args):
    state = JsonStateFile(os.path.join(args.state_dir, "state.json"))
    return QualysApp(state, args.admin_login, args.admin_password, args.seed, "http" if args.http else "https")


def main(argv=None):
    return run_simulator(make_app, argv, prog="python -m simulators.qualys",
                         description="Local Qualys API simulator", add_arguments=_add_arguments)


if __name__ == "__main__":
    sys.exit(main())
