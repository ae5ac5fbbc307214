"""The user store on a busy SQLite database: a write that waits for another writer must not fail half-way."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from sitejobs.auth.users import UserStore
from sitejobs.engine.db import create_store_engine, migrate
from tests.timing import deadline_after


def test_adding_a_user_waits_for_a_writer_that_commits_meanwhile(tmp_path: Path) -> None:
    # A deferred transaction that reads, then finds that another writer committed since, cannot take the write
    # lock at all (SQLite's BUSY_SNAPSHOT, returned without waiting): the `users add` of a CLI beside a busy
    # server failed with "database is locked" that way.
    db = create_store_engine(f"sqlite:///{tmp_path / 'sitejobs.db'}")
    migrate(db)
    store = UserStore(db)
    other = db.raw_connection()
    try:
        cursor = other.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("CREATE TABLE busy_marker (x INTEGER)")
        errors: list[BaseException] = []

        def add() -> None:
            try:
                store.add("alice", "s3cret-pw")
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        adder = threading.Thread(target=add)
        adder.start()
        time.sleep(0.5)  # the adder is now waiting on the lock this connection holds
        cursor.execute("COMMIT")
        adder.join(30)
        assert not errors, errors
        assert store.get("alice") is not None
        with db.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM oce_users")).scalar_one() == 1
    finally:
        other.close()
        db.dispose()


def test_a_remembered_basic_header_is_forgotten_when_the_password_changes(tmp_path: Path) -> None:
    db = create_store_engine(f"sqlite:///{tmp_path / 'sitejobs.db'}")
    migrate(db)
    try:
        store = UserStore(db)
        store.add("alice", "first-pw")
        header = "Basic YWxpY2U6Zmlyc3QtcHc="  # alice:first-pw
        assert store.remembered_header(header) is None  # never verified: not known
        assert store.authenticate("alice", "first-pw") is not None
        store.remember_header(header, "alice", "first-pw")
        remembered = store.remembered_header(header)
        assert remembered is not None
        assert remembered.name == "alice"
        assert store.authenticate("alice", "wrong-pw") is None
        store.remember_header("Basic YWxpY2U6d3JvbmctcHc=", "alice", "wrong-pw")
        assert store.remembered_header("Basic YWxpY2U6d3JvbmctcHc=") is None  # failures are never remembered
        store.add("alice", "second-pw")
        assert store.remembered_header(header) is None
    finally:
        db.dispose()


def test_a_password_changed_on_another_node_stops_working_here_within_the_interval(tmp_path: Path) -> None:
    db = create_store_engine(f"sqlite:///{tmp_path / 'sitejobs.db'}")
    migrate(db)
    here, there = UserStore(db), UserStore(db)  # two API nodes on one database
    here.add("alice", "first-pw")
    header = "Basic YWxpY2U6Zmlyc3QtcHc="  # alice:first-pw
    here.watch(interval_seconds=0.1)
    try:
        assert here.authenticate("alice", "first-pw") is not None
        here.remember_header(header, "alice", "first-pw")
        assert here.remembered("alice", "first-pw") is not None
        there.add("alice", "second-pw")  # `sitejobs users add` against the other node's settings
        deadline = deadline_after(5)
        while here.remembered_header(header) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert here.remembered_header(header) is None
        assert here.remembered("alice", "first-pw") is None
        assert here.authenticate("alice", "first-pw") is None
        assert here.authenticate("alice", "second-pw") is not None
    finally:
        here.stop_watching()
        db.dispose()
