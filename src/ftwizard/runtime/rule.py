"""The one rule that picks the interpreter that trains, for every way of starting a run (the
GUI's Start and Check it fits, `ftwizard train` and `--probe`, `ftwizard doctor`, `ftwizard
runtime check`): `training_runtime()`. The configured one (FTWIZARD_PYTHON, as in the exported
cluster recipes, else Settings' `train_python`) when set, and only it; else the first *ready*
candidate in the order of candidates.py. Never the installed program itself (`sys.executable`
of the frozen build: it has no `-m ftwizard.train`). When none is ready, the answer carries a
message that names the fix instead of an interpreter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ftwizard.runtime.candidates import (
    RuntimeCandidate,
    configured_python,
    find_runtimes,
    is_frozen_program,
)
from ftwizard.runtime.diagnosis import RuntimeDiagnostic, diagnose

# What the user can do when nothing can train; every message about it ends with this.
NO_RUNTIME_FIX = ("install one offline with `ftwizard runtime install --wheelhouse DIR`, or pick an "
                  "interpreter that has ftwizard[train] in Settings > Training runtime "
                  "(or set FTWIZARD_PYTHON)")


@dataclass(frozen=True)
class TrainingRuntime:
    """The answer of the rule: the interpreter that trains, or why there is none."""

    python: str | None
    diagnostic: RuntimeDiagnostic | None = None  # the chosen one's, or the configured one's that failed
    problem: str | None = None  # set exactly when python is None; names the fix
    checked: tuple[RuntimeDiagnostic, ...] = ()

    @property
    def ready(self) -> bool:
        return self.python is not None

    def describe(self) -> str:
        """One line for the run page and the CLI: which interpreter, or why none."""
        if self.python is None:
            return f"✘ {self.problem}"
        d = self.diagnostic
        extra = ""
        if d is not None:
            extra = f", {d.label}" + (f", Python {d.python_version}" if d.python_version else "")
            extra += f", torch {d.torch_version}" if d.torch_version else ""
            if d.accelerator:
                gpus = ", ".join(str(x.get("name")) for x in d.devices)
                extra += f" on {d.accelerator}" + (f" ({gpus})" if gpus else "")
        return f"✔ {self.python}{extra}"


def training_runtime(configured: str | None = None, *, settings: Any = None, full: bool = False,
                     timeout_s: float = 60.0,
                     candidates: list[RuntimeCandidate] | None = None) -> TrainingRuntime:
    """The interpreter that trains; THE rule (module docstring). Never raises.

    `configured` defaults to `configured_python(settings)`. A configured interpreter is the
    only one considered: if it cannot train the answer says so (a choice is not overridden
    silently). Otherwise the candidates are checked in order and the first ready one wins.
    `full` runs the torch check too (seconds per candidate); the default quick check is what
    a click can afford. `candidates` replaces `find_runtimes` (tests).
    """
    if configured is None:
        configured = configured_python(settings)
    found = candidates if candidates is not None else find_runtimes(configured)
    checked: list[RuntimeDiagnostic] = []
    for candidate in found:
        if candidate.source != "configured" and is_frozen_program(candidate.python):
            continue
        diag = diagnose(candidate, timeout_s, quick=not full)
        checked.append(diag)
        if diag.ready:
            return TrainingRuntime(candidate.python, diag, None, tuple(checked))
        if candidate.source == "configured":
            why = diag.problems[0] if diag.problems else "not ready"
            return TrainingRuntime(None, diag, f"The training runtime you chose, {candidate.python}, "
                                   f"cannot train ({why}). Fix it, or {NO_RUNTIME_FIX}.", tuple(checked))
    if not checked:
        problem = f"No Python that can train was found on this machine: {NO_RUNTIME_FIX}."
    else:
        seen = "; ".join(f"{d.python}: {d.problems[0] if d.problems else 'not ready'}" for d in checked[:3])
        problem = f"None of the {len(checked)} Pythons found can train ({seen}): {NO_RUNTIME_FIX}."
    return TrainingRuntime(None, None, problem, tuple(checked))


def require_training_python(configured: str | None = None, *, settings: Any = None) -> str:
    """`training_runtime(...).python`, or a FtwizardError (exit 2) that names the fix."""
    rt = training_runtime(configured, settings=settings)
    if rt.python is None:
        from ftwizard.base.errors import FtwizardError

        raise FtwizardError(rt.problem or "no training runtime")
    return rt.python
