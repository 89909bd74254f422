"""What the run monitor shows about a local model folder before a run: the checklist (config,
tokenizer, weights, licence file) and the one reason it cannot be used, if any.

The checks are `catalog.model_folder.check_model_folder`'s, the runner's own (so the GUI and the
runner never disagree); this adds what a person wants to see beside them: sizes, the licence
file and its first line. Torch-free and Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ftwizard.base.errors import RunConfigError
from ftwizard.catalog.model_folder import check_model_folder

# File names (upper-cased stems) model repositories put their licence and use policy in.
LICENCE_STEMS = ("LICENSE", "LICENCE", "LICENSE-MODEL", "USE_POLICY", "COPYING", "NOTICE")
TITLE_CHARS = 120


@dataclass
class ModelFolderReport:
    path: Path
    problem: str | None = None  # the runner's own refusal, one line; None: usable
    model_type: str | None = None
    weights: list[str] = field(default_factory=list)
    weights_format: str | None = None
    weights_gb: float = 0.0  # decimal GB on disk
    tokenizer_files: list[str] = field(default_factory=list)
    licence_files: list[Path] = field(default_factory=list)
    licence_title: str | None = None  # first non-empty line of the first licence file
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def checklist(self) -> list[tuple[bool | None, str]]:
        """(passed, line) for each check; None: a warning that does not stop the run."""
        if not self.ok:
            return [(False, self.problem or "")]
        files = ", ".join(self.weights[:3]) + (f" and {len(self.weights) - 3} more" if len(self.weights) > 3 else "")
        rows: list[tuple[bool | None, str]] = [
            (True, f"config.json: {self.model_type} model"),
            (True, f"tokenizer: {', '.join(self.tokenizer_files)}"),
            (True, f"weights: {files} ({self.weights_format}, {size_text(self.weights_gb)})"),
        ]
        if self.licence_files:
            title = f": “{self.licence_title}”" if self.licence_title else ""
            rows.append((True, f"licence: {', '.join(p.name for p in self.licence_files)}{title}"))
        else:
            rows.append((None, "no LICENSE or USE_POLICY file: check the model's terms before you use it"))
        rows += [(None, w) for w in self.warnings]
        return rows


def size_text(gb: float) -> str:
    """Decimal units: '14.96 GB', '0.5 MB' (a tiny test model is not '0.00 GB')."""
    return f"{gb:.2f} GB" if gb >= 0.1 else f"{gb * 1000:.1f} MB" if gb >= 1e-4 else f"{gb * 1e6:.0f} kB"


def licence_files(folder: Path) -> list[Path]:
    try:
        entries = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return []
    return [p for p in entries if p.name.split(".")[0].upper() in LICENCE_STEMS]


def _first_line(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for _, line in zip(range(50), fh, strict=False):
                text = line.strip().strip("#").strip()
                if text:
                    return text[:TITLE_CHARS]
    except OSError:
        return None
    return None


def inspect_model_folder(
    path: Path, trust_remote_code: bool = False, allow_pickle_weights: bool = False
) -> ModelFolderReport:
    """The checklist for `path`; never raises for a bad folder (the problem says why)."""
    path = Path(path).expanduser()
    report = ModelFolderReport(path=path)
    try:
        folder = check_model_folder(path, trust_remote_code, allow_pickle_weights)
    except RunConfigError as exc:
        report.problem = str(exc).splitlines()[0]
        return report
    report.model_type = folder.model_type
    report.weights = [p.name for p in folder.weight_files]
    report.weights_format = folder.weights_format
    report.weights_gb = sum(p.stat().st_size for p in folder.weight_files) / 1e9
    report.tokenizer_files = [p.name for p in folder.tokenizer_files]
    report.licence_files = licence_files(path)
    if report.licence_files:
        report.licence_title = _first_line(report.licence_files[0])
    report.warnings = folder.opt_in_warnings()
    return report
