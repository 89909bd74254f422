"""User-facing failure kinds. Each is caught once at the edge: the CLI prints one line
and exits 2; the GUI shows a dialog. Anything else is an internal error (exit 1)."""

from __future__ import annotations


class FtwizardError(Exception):
    """Bad input from the user: a file, a field or a value we cannot use."""

    exit_code = 2


class CatalogError(FtwizardError):
    """A catalog file (shipped or user overlay) is malformed."""


class AnswersError(FtwizardError):
    """The wizard answers (JSON) are malformed."""


class PlanError(FtwizardError):
    """A plan file cannot be read or written."""


class EstimateError(FtwizardError):
    """An estimate was asked for an unknown model or an impossible combination."""


class DatasetError(FtwizardError):
    """A dataset file cannot be read at all (single bad rows are reported, not raised)."""


class HardwareError(FtwizardError):
    """Hardware detection was asked something it cannot answer."""


class RunConfigError(FtwizardError):
    """A training run configuration or model folder cannot be used."""


class ExportError(FtwizardError):
    """An export (PDF, JSON, recipe) cannot be written where asked."""
