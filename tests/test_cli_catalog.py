"""`ftwizard catalog ...` and `ftwizard schema ...` as a script or another tool would call them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ftwizard.cli.main import main

CATALOG_DIR = Path(__file__).resolve().parents[1] / "resources" / "catalog"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_catalog_list_json_gives_true_sizes_and_licence_terms(capsys):
    code, out, _ = run_cli(capsys, "catalog", "list", "--json")
    assert code == 0
    data = json.loads(out)
    models = {m["id"]: m for m in data["models"]}
    assert 14 < models["phi-4"]["params_b"] < 15
    large2 = models["mistral-large-2-2407"]
    assert large2["commercial_use"] is False
    llama = models["llama-3.1-70b"]
    assert llama["licences"][0]["user_threshold_mau"] == 700_000_000
    assert data["catalog_version"] and data["as_of"]


def test_catalog_list_gpus_and_prices(capsys):
    code, out, _ = run_cli(capsys, "catalog", "list", "--gpus", "--json")
    assert code == 0 and any(g["id"] == "rtx-4090" for g in json.loads(out)["gpus"])
    code, out, _ = run_cli(capsys, "catalog", "list", "--prices")
    assert code == 0 and "unverified" in out


def test_catalog_show_model_and_gpu(capsys):
    code, out, _ = run_cli(capsys, "catalog", "show", "phi-4", "--json")
    assert code == 0 and json.loads(out)["licence_terms"][0]["id"] == "mit"
    code, out, _ = run_cli(capsys, "catalog", "show", "NVIDIA GeForce RTX 4090", "--json")
    assert code == 0 and json.loads(out)["id"] == "rtx-4090"


def test_catalog_show_unknown_is_exit_2(capsys):
    code, out, err = run_cli(capsys, "catalog", "show", "gpt-17")
    assert code == 2 and "unknown model or GPU 'gpt-17'" in err and out == ""


def test_validate_shipped_catalog(capsys):
    code, out, _ = run_cli(capsys, "catalog", "validate", "--json")
    assert code == 0 and json.loads(out)["valid"] is True


def test_validate_rejects_corrupted_copy_with_exit_2(tmp_path):
    """The contract, end to end through a real process: one line naming file, path, reason."""
    data = json.loads((CATALOG_DIR / "models.json").read_text())
    data["models"][1]["params_b"] = "seven"
    bad = tmp_path / "models.json"
    bad.write_text(json.dumps(data))
    out = subprocess.run([sys.executable, "-m", "ftwizard", "catalog", "validate", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode == 2
    first = out.stderr.splitlines()[0]
    assert str(bad) in first and "$.models[1].params_b" in first
    assert "Traceback" not in out.stderr


def test_user_catalog_flag_overlays(tmp_path, capsys):
    gpu = json.loads((CATALOG_DIR / "gpus.json").read_text())["gpus"][0]
    site = {"schema_version": 1, "version": "usb-7", "as_of": "2027-02-01",
            "gpus": [gpu | {"id": "site-card", "name": "Site Card", "match_names": ["Site Card X"]}]}
    f = tmp_path / "site.json"
    f.write_text(json.dumps(site))
    code, out, _ = run_cli(capsys, "--user-catalog", str(f), "catalog", "list", "--gpus", "--json")
    assert code == 0 and any(g["id"] == "site-card" for g in json.loads(out)["gpus"])


def test_schema_lists_and_prints_formats(capsys):
    code, out, _ = run_cli(capsys, "schema", "--json")
    names = json.loads(out)["formats"]
    assert {"answers", "catalog-models", "user-catalog"} <= set(names)
    for name in names:
        code, out, _ = run_cli(capsys, "schema", name)
        assert code == 0
        schema = json.loads(out)
        assert schema.get("type") == "object" or "$defs" in schema or "properties" in schema


def test_schema_unknown_is_exit_2(capsys):
    code, _, err = run_cli(capsys, "schema", "nonsense")
    assert code == 2 and "unknown format 'nonsense'" in err


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["catalog", "--help"]])
def test_help_and_version_exit_0(argv):
    out = subprocess.run([sys.executable, "-m", "ftwizard", *argv], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout
