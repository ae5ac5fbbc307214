"""sfcc-ci form-encodes the client secret inside the Basic header (RFC 6749 2.3.1); both forms must work."""

from __future__ import annotations

from urllib.parse import quote

from starlette.testclient import TestClient

from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.conftest import add_client, basic


def test_percent_encoded_secret_is_accepted(settings: Settings) -> None:
    secret = "p@ss+w/rd=1"
    add_client(settings, "enc-client", secret)
    with TestClient(create_app(settings)) as client:
        for sent in (secret, quote(secret, safe="")):
            response = client.post(
                "/dwsso/oauth2/access_token",
                content="grant_type=client_credentials",
                headers={
                    "Authorization": basic("enc-client", sent),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            assert response.status_code == 200, (sent, response.text)
        wrong = client.post(
            "/dwsso/oauth2/access_token",
            content="grant_type=client_credentials",
            headers={"Authorization": basic("enc-client", quote("p@ss+w/rd=2", safe=""))},
        )
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "invalid_client"
