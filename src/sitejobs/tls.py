"""A self-signed certificate for serving HTTPS on the loopback interface, made once and re-used.

sfcc-ci only speaks HTTPS, to the instance and to the token host (`SFCC_LOGIN_URL`), so `sitejobs serve --tls`
needs a certificate that Node will accept: `subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1`, trusted
through `NODE_EXTRA_CA_CERTS=<cert.pem>`. The certificate is an end-entity certificate (`CA:FALSE`), so
trusting it lets it vouch for this server and for nothing else.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
VALID_DAYS = 825
#: A certificate this close to its end is replaced on start rather than re-used.
RENEW_BEFORE = datetime.timedelta(days=7)
DNS_NAMES = ("localhost",)
IP_ADDRESSES = ("127.0.0.1", "::1")


def ensure_certificate(directory: Path) -> tuple[Path, Path]:
    """`directory/cert.pem` and `directory/key.pem`, made now unless a usable pair is already there."""
    cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
    if key_path.is_file() and _usable(cert_path):
        return cert_path, key_path
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = self_signed(key).public_bytes(serialization.Encoding.PEM)
    _write_atomically(key_path, key_pem, 0o600)
    _write_atomically(cert_path, cert_pem, 0o644)
    return cert_path, key_path


def self_signed(key: ec.EllipticCurvePrivateKey, days: int = VALID_DAYS) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sitejobs (self-signed)"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in DNS_NAMES]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in IP_ADDRESSES]
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _usable(cert_path: Path) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc - RENEW_BEFORE > datetime.datetime.now(datetime.UTC)


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write to a temporary file made with `mode` from the start (never briefly world-readable), then rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
