"""Fixtures the OCI simulator writes into its state directory.

* ``api_key.pem`` / ``api_key_public.pem``: the RSA API key of the fixture user
  (the public key is what the simulator verifies signatures against).
* ``wrong_key.pem``: another RSA key that is *not* registered; profile
  ``WRONG_KEY`` of the config file signs with it (same user and fingerprint),
  so every request it signs must be refused with 401 NotAuthenticated.
* ``oci_config``: an OCI SDK config file, profiles ``DEFAULT``, ``WRONG_KEY`` and
  ``LOG_REQUESTS`` (DEFAULT plus ``log_requests=True``, which makes the SDK print
  request bodies unless the client forces it off).
* ``fixtures.json``: tenancy, user, compartment, vault and key OCIDs, the region,
  the fingerprint and the paths above.

Existing files are reused, so a restarted simulator keeps the same identity.
"""

import base64
import hashlib
import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REALM = "oc1"
DEFAULT_REGION = "us-ashburn-1"
REGION_KEYS = {"us-ashburn-1": "iad", "us-phoenix-1": "phx", "eu-frankfurt-1": "fra", "uk-london-1": "lhr"}

TENANCY_ID = "ocid1.tenancy.oc1..aaaaaaaasimtenancy0000000000000000000000000000000000000001"
USER_ID = "ocid1.user.oc1..aaaaaaaasimuser000000000000000000000000000000000000000000001"
COMPARTMENT_ID = "ocid1.compartment.oc1..aaaaaaaasimcompartment00000000000000000000000000000000001"


def region_key(region):
    return REGION_KEYS.get(region, region.split("-")[1] if "-" in region else region)


def vault_id(region):
    return "ocid1.vault.%s.%s.aaaaaaaasimvault0000000000000000000000000000000000000000001" % (REALM, region_key(region))


def key_id(region):
    return "ocid1.key.%s.%s.aaaaaaaasimkey00000000000000000000000000000000000000000000001" % (REALM, region_key(region))


def fingerprint_of(public_key):
    """OCI API key fingerprint: md5 of the DER SubjectPublicKeyInfo, colon-separated."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der).hexdigest()  # nosec - this is how OCI names keys
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def load_public_key(path):
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return serialization.load_pem_public_key(data)
    except ValueError:
        return serialization.load_pem_private_key(data, password=None).public_key()


def _write(path, data, private=False):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _ensure_rsa(path):
    if os.path.exists(path):
        with open(path, "rb") as handle:
            return serialization.load_pem_private_key(handle.read(), password=None)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                   serialization.NoEncryption()), private=True)
    return key


def ensure_fixtures(state_dir, region=DEFAULT_REGION):
    """Create (or reuse) the key pair, config file and fixtures.json; return the fixtures dict."""
    state_dir = os.path.abspath(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    key_path = os.path.join(state_dir, "api_key.pem")
    public_path = os.path.join(state_dir, "api_key_public.pem")
    wrong_path = os.path.join(state_dir, "wrong_key.pem")
    config_path = os.path.join(state_dir, "oci_config")
    key = _ensure_rsa(key_path)
    _ensure_rsa(wrong_path)
    public = key.public_key()
    _write(public_path, public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    fingerprint = fingerprint_of(public)
    config = (
        "[DEFAULT]\n"
        "user=%(user)s\nfingerprint=%(fp)s\ntenancy=%(tenancy)s\nregion=%(region)s\nkey_file=%(key)s\n"
        "\n[WRONG_KEY]\n"
        "user=%(user)s\nfingerprint=%(fp)s\ntenancy=%(tenancy)s\nregion=%(region)s\nkey_file=%(wrong)s\n"
        "\n[LOG_REQUESTS]\n"
        "user=%(user)s\nfingerprint=%(fp)s\ntenancy=%(tenancy)s\nregion=%(region)s\nkey_file=%(key)s\n"
        "log_requests=True\n"
    ) % dict(user=USER_ID, fp=fingerprint, tenancy=TENANCY_ID, region=region, key=key_path, wrong=wrong_path)
    _write(config_path, config.encode("ascii"), private=True)
    fixtures = dict(
        tenancy_id=TENANCY_ID,
        user_id=USER_ID,
        compartment_id=COMPARTMENT_ID,
        vault_id=vault_id(region),
        key_id=key_id(region),
        region=region,
        fingerprint=fingerprint,
        config_file=config_path,
        profile="DEFAULT",
        wrong_key_profile="WRONG_KEY",
        log_requests_profile="LOG_REQUESTS",
        private_key_path=key_path,
        public_key_path=public_path,
    )
    _write(os.path.join(state_dir, "fixtures.json"), json.dumps(fixtures, indent=1, sort_keys=True).encode("utf-8"))
    return fixtures


def public_key_pem(public_key):
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def b64(data):
    return base64.b64encode(data).decode("ascii")
