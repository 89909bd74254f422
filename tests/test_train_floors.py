"""The sharded path's dependency floors (issue 23): one place says them (train/sharded.py),
pyproject.toml agrees, and a runtime below them is refused with the library, its version and
the floor named — before any model is built. The old releases themselves cannot be installed
on this offline machine, so the refusal is tested with their version strings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ftwizard.base.errors import RunConfigError
from ftwizard.train.sharded import BITSANDBYTES_FLOOR, TORCH_FLOOR, check_floors

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_floors_are_the_sharded_paths_floors():
    train = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["train"]
    floors = {m[1]: m[2] for r in train if (m := re.match(r"([A-Za-z0-9_-]+)>=([0-9.]+)", r))}
    assert floors["torch"] == TORCH_FLOOR and floors["bitsandbytes"] == BITSANDBYTES_FLOOR


@pytest.mark.parametrize("torch_v, bnb_v, quantised", [
    ("2.6.0", "0.45.0", True), ("2.13.0+cpu", "0.50.2", True), ("2.6.0+cu124", None, False),
    ("2.7.0a0+git1234", "0.44.1", False),  # LoRA does not need quant_storage
])
def test_releases_at_or_above_the_floors_shard(torch_v, bnb_v, quantised):
    check_floors(torch_v, bnb_v, quantised)


@pytest.mark.parametrize("torch_v, bnb_v, quantised, named", [
    ("2.5.1", "0.45.0", False, "torch 2.5.1"), ("2.5.1+cu121", "0.50.0", True, "torch 2.5.1+cu121"),
    ("2.6.0", "0.44.1", True, "bitsandbytes 0.44.1"), ("2.4.0", "0.43.3", True, "torch 2.4.0"),
])
def test_releases_below_the_floors_are_refused_naming_what_to_upgrade(torch_v, bnb_v, quantised, named):
    with pytest.raises(RunConfigError) as exc:
        check_floors(torch_v, bnb_v, quantised)
    message = str(exc.value)
    assert message.startswith("$.sharding:") and named in message and ">= " in message
    assert "sharding none" in message or "shard LoRA" in message
