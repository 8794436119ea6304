"""``python -m simulators.oci --state-dir DIR --ready-file FILE [--http] [--api-public-key PEM]...``"""

import sys

from simulators.common import run_simulator

from .app import OciApp
from .fixtures import DEFAULT_REGION


def add_arguments(parser):
    parser.add_argument("--region", default=DEFAULT_REGION,
                        help="region written into the generated OCI config and OCIDs (default %s)" % DEFAULT_REGION)
    parser.add_argument("--api-public-key", action="append", default=[], metavar="PEM",
                        help="also accept signatures of this API public key (PEM; repeatable). The key pair "
                             "generated into the state directory is always accepted.")


def make_app(args):
    return OciApp(args.state_dir, region=args.region, scheme="http" if args.http else "https",
                  extra_public_keys=args.api_public_key)


def main(argv=None):
    return run_simulator(make_app, argv=argv, prog="python -m simulators.oci",
                         description="Local OCI Vault/Secrets/KMS/VSS simulator for the oci SDK",
                         add_arguments=add_arguments)


if __name__ == "__main__":
    sys.exit(main())
