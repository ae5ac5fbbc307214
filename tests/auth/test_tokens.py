"""Signing keys in the shared database: made once however many nodes start at once, rotated by kid, and
replaced by `SITEJOBS_TOKEN_SECRET` when that is set."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import jwt
import pytest
from sqlalchemy import Engine, update

from sitejobs.auth.schema import signing_keys
from sitejobs.auth.tokens import (
    DatabaseKeys,
    StaticKey,
    SubjectKind,
    TokenIssuer,
    ensure_key,
    key_ring,
    list_keys,
    rotate_key,
)
from sitejobs.engine.db import create_store_engine
from sitejobs.engine.models import now_ms
from sitejobs.errors import Unauthorized
from sitejobs.settings import Settings
from tests.conftest import store_db

TTL = 600


@pytest.fixture
def db(settings: Settings) -> Iterator[Engine]:
    with store_db(settings) as db:
        yield db


def _node(db: Engine) -> TokenIssuer:
    """What an API node holds: an issuer over the shared keys, with caches of its own."""
    return TokenIssuer(DatabaseKeys(db), TTL)


def test_nodes_starting_together_make_one_key(settings: Settings, db: Engine) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def start() -> None:
        own = create_store_engine(settings.resolved_database_url)
        try:
            barrier.wait()
            ensure_key(own)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(list_keys(db)) == 1


def test_a_token_from_one_node_verifies_on_another(settings: Settings, db: Engine) -> None:
    node_a = _node(db)
    other_db = create_store_engine(settings.resolved_database_url)
    try:
        node_b = _node(other_db)
        token = node_a.issue("some-client", SubjectKind.CLIENT)
        assert node_b.verify(token, SubjectKind.CLIENT) == "some-client"
        assert jwt.get_unverified_header(token)["kid"] == list_keys(db)[0].kid
    finally:
        other_db.dispose()


def test_rotation_signs_with_the_new_key_and_still_verifies_the_old(db: Engine) -> None:
    node_a, node_b = _node(db), _node(db)
    old = node_a.issue("c", SubjectKind.CLIENT)
    assert node_b.verify(old, SubjectKind.CLIENT) == "c"  # node B has the old key cached without an expiry
    new_kid = rotate_key(db, grace_seconds=TTL)
    new = node_a.issue("c", SubjectKind.CLIENT)
    assert jwt.get_unverified_header(new)["kid"] == new_kid != jwt.get_unverified_header(old)["kid"]
    for node in (node_a, node_b, _node(db)):
        assert node.verify(old, SubjectKind.CLIENT) == "c"
        assert node.verify(new, SubjectKind.CLIENT) == "c"
    keys = list_keys(db)
    assert keys[0].kid == new_kid
    assert keys[0].expires_at is None
    assert keys[1].expires_at is not None
    assert keys[1].expires_at >= now_ms() + TTL * 1000


def test_a_key_past_its_time_verifies_nothing_and_the_next_rotation_deletes_it(db: Engine) -> None:
    node = _node(db)
    old = node.issue("c", SubjectKind.CLIENT)
    old_kid = jwt.get_unverified_header(old)["kid"]
    rotate_key(db, grace_seconds=TTL)
    with db.begin() as conn:  # as if its grace had run out
        conn.execute(
            update(signing_keys).where(signing_keys.c.kid == old_kid).values(expires_at=now_ms() - 1)
        )
    with pytest.raises(Unauthorized, match="expired"):
        _node(db).verify(old, SubjectKind.CLIENT)  # a node that had not seen it before
    rotate_key(db, grace_seconds=TTL)
    assert old_kid not in {k.kid for k in list_keys(db)}
    with pytest.raises(Unauthorized, match="not valid"):
        _node(db).verify(old, SubjectKind.CLIENT)
    assert len(list_keys(db)) == 2  # the second and the third key


def test_a_token_with_an_unknown_or_odd_kid_is_refused(db: Engine) -> None:
    node = _node(db)
    secret = DatabaseKeys(db).signing_key().secret
    claims = {"sub": "c", "knd": "client", "iss": "sitejobs", "exp": 2**40}
    for kid in ("0" * 16, "../../etc", "x" * 5000, None):
        headers = None if kid is None else {"kid": kid}
        with pytest.raises(Unauthorized):
            node.verify(jwt.encode(claims, secret, algorithm="HS256", headers=headers), SubjectKind.CLIENT)


def test_the_token_secret_setting_overrides_the_database_keys(settings: Settings, db: Engine) -> None:
    settings.token_secret = "an operator's own secret of 32+ bytes"
    ring = key_ring(settings, db)
    assert isinstance(ring, StaticKey)
    assert list_keys(db) == []  # no key is made in the database
    static = TokenIssuer(ring, TTL)
    token = static.issue("c", SubjectKind.CLIENT)
    assert "kid" not in jwt.get_unverified_header(token)
    assert static.verify(token, SubjectKind.CLIENT) == "c"
    assert jwt.decode(token, b"an operator's own secret of 32+ bytes", algorithms=["HS256"])["sub"] == "c"
    with pytest.raises(Unauthorized):
        _node(db).verify(token, SubjectKind.CLIENT)
    with pytest.raises(Unauthorized):
        static.verify(_node(db).issue("c", SubjectKind.CLIENT), SubjectKind.CLIENT)
