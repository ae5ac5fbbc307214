"""Job logs live in the store: every node reads a run's lines as soon as they are committed, in order, and a
deleted execution takes its log with it."""

from __future__ import annotations

from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings


def test_lines_are_read_in_order_by_another_node_and_followed_from_an_id(
    engine: JobEngine, settings: Settings
) -> None:
    execution = engine.submit("noop")
    for i in range(3):
        engine.append_log(execution.id, f"line {i}", "WARN" if i == 1 else "INFO")
    engine.log_line(execution, "last line")  # waits for its commit, and so for the lines before it

    other = JobEngine.open(settings, default_registry())  # another API node or worker: its own connections
    try:
        lines = other.log_lines(execution.id)
        assert [line.message for line in lines] == ["line 0", "line 1", "line 2", "last line"]
        assert [line.level for line in lines][:2] == ["INFO", "WARN"]
        text = other.log_text(execution.id)
        assert text.splitlines()[1].endswith("GMT] WARN line 1")
        assert text.startswith("[")
        assert text.endswith("INFO last line\n")
        assert [line.message for line in other.log_lines(execution.id, after=lines[1].id)] == [
            "line 2",
            "last line",
        ]
        assert other.log_lines(execution.id + 1) == []
    finally:
        other.close()


def test_deleting_a_finished_execution_deletes_its_log(engine: JobEngine) -> None:
    execution = engine.submit("noop")
    engine.log_line(execution, "something to keep")
    engine.abort(execution.id)  # pending: it ends at once
    engine.delete("noop", execution.id)
    assert engine.log_lines(execution.id) == []
