"""Job definitions: ids, the reserved prefix, parameter schemas, and where custom jobs come from."""

from __future__ import annotations

import pytest

from sitejobs.engine.registry import JobDefinition, Param, Registry
from sitejobs.errors import (
    InvalidJobDefinition,
    InvalidParameter,
    JobNotFound,
    MissingParameter,
    UnknownProperty,
)
from sitejobs.jobs.builtin import default_registry


def _noop(ctx: object) -> None:
    return None


@pytest.mark.parametrize("job_id", ["sfcc-mine", "SFCC-mine", "Sfcc-Mine"])
def test_custom_jobs_may_not_use_the_system_prefix_in_any_case(job_id: str) -> None:
    with pytest.raises(InvalidJobDefinition, match="reserved"):
        Registry().add(JobDefinition(id=job_id, run=_noop))


def test_system_jobs_use_the_prefix() -> None:
    registry = Registry()
    registry.add(JobDefinition(id="sfcc-mine", run=_noop), system=True)
    assert "sfcc-mine" in registry


@pytest.mark.parametrize("job_id", ["", "has space", "a/b", "x" * 200])
def test_bad_job_ids(job_id: str) -> None:
    with pytest.raises(InvalidJobDefinition):
        Registry().add(JobDefinition(id=job_id, run=_noop))


def test_a_job_id_is_registered_once() -> None:
    registry = Registry()
    registry.add(JobDefinition(id="a", run=_noop))
    with pytest.raises(InvalidJobDefinition):
        registry.add(JobDefinition(id="a", run=_noop))


def test_parameters_are_typed_and_checked() -> None:
    job = JobDefinition(
        id="p",
        run=_noop,
        params=(
            Param("Count", "integer", required=True, minimum=1, maximum=10),
            Param("Ratio", "number", default="0.5"),
            Param("Dry", "boolean", default="false"),
            Param("Mode", choices=("fast", "slow"), default="fast"),
        ),
    )
    echoed, typed = job.validate_parameters([("Count", "3"), ("Dry", "TRUE")])
    assert echoed == [{"name": "Count", "value": "3"}, {"name": "Dry", "value": "TRUE"}]
    assert typed == {"Count": 3, "Dry": True, "Ratio": 0.5, "Mode": "fast"}
    with pytest.raises(MissingParameter):
        job.validate_parameters([])
    with pytest.raises(InvalidParameter):
        job.validate_parameters([("Count", "11")])
    with pytest.raises(InvalidParameter):
        job.validate_parameters([("Count", "2.5")])
    with pytest.raises(InvalidParameter):
        job.validate_parameters([("Count", "1"), ("Mode", "medium")])
    with pytest.raises(UnknownProperty):
        job.validate_parameters([("Count", "1"), ("Colour", "red")])


def test_custom_jobs_come_from_a_module() -> None:
    registry = default_registry("tests.jobs.sample_jobs")
    assert {"crunch", "sleepy", "hello-world", "sfcc-site-archive-import"} <= {d.id for d in registry}
    with pytest.raises(JobNotFound):
        registry.get("nope")


def test_a_module_without_register_is_refused() -> None:
    with pytest.raises(InvalidJobDefinition, match="register"):
        default_registry("tests.jobs.empty_module")
