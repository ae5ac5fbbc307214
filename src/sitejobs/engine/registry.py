"""Job definitions: id, parameter schema, concurrency, retry policy, steps; and where custom jobs come from."""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError

from sitejobs.errors import (
    InvalidJobDefinition,
    InvalidParameter,
    JobNotFound,
    MalformedDocument,
    MissingParameter,
    UnknownProperty,
)

if TYPE_CHECKING:
    from sitejobs.engine.context import JobContext

log = logging.getLogger(__name__)

SYSTEM_PREFIX = "sfcc-"
ENTRY_POINT_GROUP = "sitejobs.jobs"
JOB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")

JobFunction = Callable[["JobContext"], "dict[str, Any] | None"]
ParamType = Literal["string", "integer", "number", "boolean"]


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType = "string"
    required: bool = False
    default: str | None = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    def coerce(self, raw: object) -> Any:
        """The typed value of `raw` (a string, as OCAPI sends parameter values), or InvalidParameter."""
        if not isinstance(raw, str | int | float | bool) or raw is None:
            raise InvalidParameter(f"Parameter '{self.name}' must be a string value.", parameter=self.name)
        text = str(raw).strip() if not isinstance(raw, bool) else ("true" if raw else "false")
        value: Any
        try:
            if self.type == "integer":
                value = int(text)
            elif self.type == "number":
                value = float(text)
            elif self.type == "boolean":
                if text.lower() not in ("true", "false"):
                    raise ValueError(text)
                value = text.lower() == "true"
            else:
                value = str(raw)
        except ValueError:
            raise InvalidParameter(
                f"Parameter '{self.name}' must be of type {self.type}, not '{raw}'.",
                parameter=self.name,
                value=str(raw),
            ) from None
        if self.choices is not None and str(value) not in self.choices:
            raise InvalidParameter(
                f"Parameter '{self.name}' must be one of {', '.join(self.choices)}.", parameter=self.name
            )
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                raise InvalidParameter(
                    f"Parameter '{self.name}' must be >= {self.minimum:g}.", parameter=self.name
                )
            if self.maximum is not None and value > self.maximum:
                raise InvalidParameter(
                    f"Parameter '{self.name}' must be <= {self.maximum:g}.", parameter=self.name
                )
        return value


@dataclass(frozen=True)
class RetryPolicy:
    """What the reaper does when a worker dies holding an execution."""

    on_worker_lost: Literal["retry", "fail"] = "retry"
    max_attempts: int = 3


@dataclass(frozen=True)
class SystemRequest:
    """How a system job reads its request document and which parameters it echoes back."""

    model: type[BaseModel]
    echo: Callable[[BaseModel], list[tuple[str, str]]]


@dataclass(frozen=True)
class JobDefinition:
    id: str
    run: JobFunction
    params: tuple[Param, ...] = ()
    description: str = ""
    concurrent: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    steps: tuple[str, ...] = ()
    cpu_bound: bool = False
    system_request: SystemRequest | None = None
    surfaces: frozenset[str] = frozenset({"ocapi"})

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def validate_parameters(
        self, given: Iterable[tuple[str, object]]
    ) -> tuple[list[dict[str, str]], dict[str, Any]]:
        """Check name/value pairs against the schema: (echo list, typed values)."""
        echoed: list[dict[str, str]] = []
        typed: dict[str, Any] = {}
        for name, raw in given:
            spec = self.param(name)
            if spec is None:
                raise UnknownProperty(
                    f"Job '{self.id}' has no parameter '{name}'.", property=name, jobId=self.id
                )
            if name in typed:
                raise InvalidParameter(f"Parameter '{name}' is given twice.", parameter=name)
            typed[name] = spec.coerce(raw)
            echoed.append({"name": name, "value": _as_text(raw)})
        for spec in self.params:
            if spec.name in typed:
                continue
            if spec.required:
                raise MissingParameter(f"Parameter '{spec.name}' is required.", parameter=spec.name)
            if spec.default is not None:
                typed[spec.name] = spec.coerce(spec.default)
        return echoed, typed

    def typed_parameters(self, echoed: list[dict[str, str]]) -> dict[str, Any]:
        """The typed values of a stored execution's parameters (already validated at submit)."""
        return self.validate_parameters((p["name"], p["value"]) for p in echoed)[1]

    def read_system_request(
        self, body: Mapping[str, Any] | BaseModel
    ) -> tuple[list[dict[str, str]], dict[str, Any]]:
        """(echoed parameters, stored request) of a request document, or of the job's model already made."""
        assert self.system_request is not None
        if isinstance(body, self.system_request.model):
            model = body
        else:
            try:
                model = self.system_request.model.model_validate(body)
            except ValidationError as exc:
                raise _validation_fault(exc) from None
        echoed = [{"name": n, "value": v} for n, v in self.system_request.echo(model)]
        return echoed, model.model_dump(mode="json")


def _as_text(raw: object) -> str:
    """A parameter value as OCAPI echoes it: JSON's spelling for booleans (`true`, not Python's `True`)."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return raw if isinstance(raw, str) else str(raw)


def _validation_fault(exc: ValidationError) -> Exception:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "document"
    kind = first["type"]
    if kind == "extra_forbidden":
        return UnknownProperty(f"Unknown property '{where}'.", property=where)
    if kind == "missing":
        return MissingParameter(f"Property '{where}' is required.", property=where)
    if kind in ("model_type", "dict_type") and where == "document":
        return MalformedDocument("The request body must be a JSON object.")
    return InvalidParameter(f"Property '{where}': {first['msg']}.", property=where)


class Registry:
    def __init__(self) -> None:
        self._jobs: dict[str, JobDefinition] = {}
        self._ids: tuple[str, ...] | None = None

    def add(self, definition: JobDefinition, *, system: bool = False) -> JobDefinition:
        if not JOB_ID_RE.match(definition.id):
            raise InvalidJobDefinition(f"'{definition.id}' is not a valid job id.")
        if definition.id.lower().startswith(SYSTEM_PREFIX) and not system:  # `SFCC-` too
            raise InvalidJobDefinition(
                f"Job id '{definition.id}' starts with '{SYSTEM_PREFIX}', which is reserved for system jobs.",
                jobId=definition.id,
            )
        if definition.id in self._jobs and self._jobs[definition.id] is not definition:
            raise InvalidJobDefinition(f"Job '{definition.id}' is already registered.", jobId=definition.id)
        self._jobs[definition.id] = definition
        self._ids = None
        return definition

    @property
    def job_ids(self) -> tuple[str, ...]:
        """The ids of the jobs defined here, sorted: the only ones a worker with this registry claims."""
        if self._ids is None:
            self._ids = tuple(sorted(self._jobs))
        return self._ids

    def job(
        self,
        job_id: str,
        *,
        params: Iterable[Param] = (),
        description: str = "",
        concurrent: bool = True,
        retry: RetryPolicy | None = None,
        steps: Iterable[str] = (),
        cpu_bound: bool = False,
    ) -> Callable[[JobFunction], JobFunction]:
        """Decorator that registers a custom job."""

        def register(fn: JobFunction) -> JobFunction:
            self.add(
                JobDefinition(
                    id=job_id,
                    run=fn,
                    params=tuple(params),
                    description=description or (fn.__doc__ or "").strip(),
                    concurrent=concurrent,
                    retry=retry or RetryPolicy(),
                    steps=tuple(steps),
                    cpu_bound=cpu_bound,
                )
            )
            return fn

        return register

    def get(self, job_id: str) -> JobDefinition:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise JobNotFound(f"No job with id '{job_id}' is defined.", jobId=job_id) from None

    def find(self, job_id: str) -> JobDefinition | None:
        return self._jobs.get(job_id)

    def __iter__(self) -> Any:
        return iter(sorted(self._jobs.values(), key=lambda d: d.id))

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._jobs

    def load_custom(self, module: str | None) -> None:
        """Register custom jobs from the `sitejobs.jobs` entry points and the module named in settings."""
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            self._load(ep.value, ep.load)
        if module:
            self._load(module, lambda: importlib.import_module(module))

    def _load(self, name: str, loader: Callable[[], object]) -> None:
        """An entry point or module gives a JobDefinition, a `register(registry)` function, or a module with one."""
        try:
            loaded = loader()
        except ImportError as exc:
            raise InvalidJobDefinition(
                f"Cannot import the jobs module '{name}': {exc}.", module=name
            ) from exc
        if isinstance(loaded, JobDefinition):
            self.add(loaded)
            return
        hook = getattr(loaded, "register", None) if isinstance(loaded, ModuleType) else loaded
        if not callable(hook):
            raise InvalidJobDefinition(f"'{name}' defines no register(registry) function.")
        hook(self)
