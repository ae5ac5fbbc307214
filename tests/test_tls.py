"""`sitejobs serve --tls`: a self-signed certificate made once in DATA_DIR/tls, and a server that really speaks HTTPS
with it (what sfcc-ci, which only speaks HTTPS, needs)."""

from __future__ import annotations

import datetime
import ipaddress
import stat
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sitejobs import tls
from sitejobs.settings import Settings
from tests.conftest import ServerProcess, free_port


def test_certificate_is_made_once_with_the_loopback_names(tmp_path: Path) -> None:
    cert_path, key_path = tls.ensure_certificate(tmp_path / "tls")
    assert (cert_path, key_path) == (tmp_path / "tls" / "cert.pem", tmp_path / "tls" / "key.pem")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600

    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in sans.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert datetime.timedelta(days=824) < lifetime < datetime.timedelta(days=827)
    assert cert.issuer == cert.subject

    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert key.public_key().public_numbers() == public.public_numbers()

    first = (cert_path.read_bytes(), key_path.read_bytes(), cert_path.stat().st_mtime_ns)
    assert tls.ensure_certificate(tmp_path / "tls") == (cert_path, key_path)
    assert (cert_path.read_bytes(), key_path.read_bytes(), cert_path.stat().st_mtime_ns) == first


def test_a_certificate_near_its_end_or_broken_is_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "tls"
    cert_path, key_path = tls.ensure_certificate(directory)
    key = ec.generate_private_key(ec.SECP256R1())
    cert_path.write_bytes(tls.self_signed(key, days=2).public_bytes(serialization.Encoding.PEM))
    tls.ensure_certificate(directory)
    renewed = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert renewed.not_valid_after_utc - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=800)

    cert_path.write_text("not a certificate")
    tls.ensure_certificate(directory)
    x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_serve_tls_answers_https_verified_against_its_own_certificate(sqlite_settings: Settings) -> None:
    server = ServerProcess.https(sqlite_settings)
    port, cert_path = server.port, sqlite_settings.data_dir / "tls" / "cert.pem"
    assert server.cafile == cert_path
    try:
        server.start(wait_ready=False)
        for host in ("127.0.0.1", "localhost"):
            assert server.wait_ready(f"https://{host}:{port}/healthz").status_code == 200
        with pytest.raises(httpx.ConnectError):  # an unknown self-signed certificate is refused as usual
            httpx.get(f"https://127.0.0.1:{port}/healthz", timeout=2)
        first = cert_path.read_bytes()
        assert stat.S_IMODE((cert_path.parent / "key.pem").stat().st_mode) == 0o600
        log = server.log_text()
        assert f"export NODE_EXTRA_CA_CERTS={cert_path.resolve()}" in log
        assert f"export SFCC_LOGIN_URL=127.0.0.1:{port}" in log
        assert server.terminate() in (0, -15)  # uvicorn re-raises the SIGTERM it handled

        server.start()  # the second start re-uses the certificate
        assert cert_path.read_bytes() == first
    finally:
        server.kill()


def test_serve_with_given_cert_and_key(sqlite_settings: Settings, tmp_path: Path) -> None:
    cert_path, key_path = tls.ensure_certificate(tmp_path / "own")
    port = free_port()
    args = ("serve", "--port", str(port), "--cert", str(cert_path), "--key", str(key_path))
    server = ServerProcess(sqlite_settings, *args, port=port, cafile=cert_path)
    try:
        server.start()
        assert server.wait_ready(f"{server.url}/healthz").status_code == 200
        assert not (sqlite_settings.data_dir / "tls").exists()
        assert f"export NODE_EXTRA_CA_CERTS={cert_path.resolve()}" in server.log_text()
    finally:
        server.kill()
