# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test certificate authority and server certificates for the local simulators.

One CA is shared by every simulator whose state directory has the same parent:
``<parent>/ca/ca.pem`` and ``<parent>/ca/ca-key.pem``.  Clients trust that one
file (``ca_path``) for all simulators.  Each simulator gets its own server
certificate (``<state-dir>/tls/server.pem``), signed by the CA, valid for
localhost, 127.0.0.1 and ::1 (plus the listen host when it is a name or IP).
"""

import datetime
import fcntl
import ipaddress
import os
import ssl

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_CERT_NAME = "ca.pem"
CA_KEY_NAME = "ca-key.pem"
SERVER_CERT_NAME = "server.pem"
SERVER_KEY_NAME = "server-key.pem"

# Long enough for any test run or demo, short enough to look like a test cert.
CA_DAYS = 3650
SERVER_DAYS = 825


def ca_dir_for(state_dir):
    """Return the shared CA directory for a simulator state directory."""
    parent = os.path.dirname(os.path.abspath(state_dir))
    return os.path.join(parent, "ca")


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _write_private(path, data):
    """Write a key file readable only by its owner, atomically."""
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _write_public(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_pair(cert_path, key_path):
    with open(cert_path, "rb") as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    with open(key_path, "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), password=None)
    return cert, key


def ensure_ca(ca_dir):
    """Create the test CA in ``ca_dir`` unless it exists; return (cert_path, key_path).

    A lock file serialises simulators that start at the same moment, so they
    never write two different CAs.
    """
    os.makedirs(ca_dir, exist_ok=True)
    cert_path = os.path.join(ca_dir, CA_CERT_NAME)
    key_path = os.path.join(ca_dir, CA_KEY_NAME)
    with open(os.path.join(ca_dir, ".lock"), "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if os.path.exists(cert_path) and os.path.exists(key_path):
                return cert_path, key_path
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "scanops simulators"),
                x509.NameAttribute(NameOID.COMMON_NAME, "scanops simulator test CA"),
            ])
            ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(_now() - datetime.timedelta(days=1))
                .not_valid_after(_now() + datetime.timedelta(days=CA_DAYS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(ski, critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
                .sign(key, hashes.SHA256())
            )
            _write_private(key_path, _key_pem(key))
            _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))
            return cert_path, key_path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _signed_by(cert, ca_cert):
    if cert.issuer != ca_cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _alt_names(extra_hosts):
    names = {"localhost"}
    ips = {"127.0.0.1", "::1"}
    for host in extra_hosts or ():
        if not host or host in ("0.0.0.0", "::"):
            continue
        try:
            ips.add(str(ipaddress.ip_address(host)))
        except ValueError:
            names.add(host)
    entries = [x509.DNSName(name) for name in sorted(names)]
    entries += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in sorted(ips)]
    return entries, names, ips


def ensure_server_cert(ca_dir, cert_dir, hosts=()):
    """Return (cert_path, key_path) of a server certificate signed by the CA.

    Regenerated when missing, not signed by the current CA, expired, or not
    covering one of ``hosts``.
    """
    ca_cert_path, ca_key_path = ensure_ca(ca_dir)
    ca_cert, ca_key = _load_pair(ca_cert_path, ca_key_path)
    os.makedirs(cert_dir, exist_ok=True)
    cert_path = os.path.join(cert_dir, SERVER_CERT_NAME)
    key_path = os.path.join(cert_dir, SERVER_KEY_NAME)
    entries, names, ips = _alt_names(hosts)
    if os.path.exists(cert_path) and os.path.exists(key_path):
        try:
            cert, _key = _load_pair(cert_path, key_path)
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            have_names = set(san.get_values_for_type(x509.DNSName))
            have_ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
            fresh = cert.not_valid_after_utc > _now() + datetime.timedelta(days=1)
            if _signed_by(cert, ca_cert) and fresh and names <= have_names and ips <= have_ips:
                return cert_path, key_path
        except (ValueError, x509.ExtensionNotFound):
            pass  # unreadable or incomplete: regenerate below
    key = ec.generate_private_key(ec.SECP256R1())
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(days=1))
        .not_valid_after(_now() + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(entries), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(key_path, _key_pem(key))
    _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_ssl_context(cert_path, key_path):
    """TLS server context (TLS 1.2+) for the given certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context
