"""Issue 25 through the real runner (`ftwizard train` on the tiny CPU model): a garbled model
folder and a full disk are bad input naming the file or folder (exit 2, on stderr), and
--merge never loads pickle weights when safetensors sit beside them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ftwizard.runs import events as ev
from train_fixtures import tiny_model_dir, write_chat_jsonl  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.train]


def train(*argv: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, FTWIZARD_PYTHON=sys.executable)
    return subprocess.run([sys.executable, "-m", "ftwizard", "train", *argv, "--max-steps", "2", "--seq-len", "64",
                           "--micro-batch", "2", "--grad-accum", "1", "--method", "lora", "--lora-r", "4"],
                          env=env, capture_output=True, text=True, timeout=timeout)


def copy_model(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_a_garbled_config_is_exit_2_naming_the_file(tiny_model_dir, tmp_path):  # noqa: F811
    model = copy_model(tiny_model_dir, tmp_path / "model")
    cfg = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps(cfg | {"hidden_size": "sixty-four"}))
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=8)
    done = train("--model-dir", str(model), "--data", str(data), "--output", str(tmp_path / "run"))
    assert done.returncode == ev.EXIT_BAD_INPUT, done.stderr[-1500:]
    assert f"{model / 'config.json'}: $.hidden_size: expected a positive integer" in done.stderr
    assert "error" not in done.stdout and "internal" not in done.stderr


def test_a_truncated_safetensors_file_is_exit_2_naming_it(tiny_model_dir, tmp_path):  # noqa: F811
    model = copy_model(tiny_model_dir, tmp_path / "model")
    weights = sorted(model.glob("*.safetensors"))[0]
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=8)
    done = train("--model-dir", str(model), "--data", str(data), "--output", str(tmp_path / "run"))
    assert done.returncode == ev.EXIT_BAD_INPUT, done.stderr[-1500:]
    assert str(weights) in done.stderr and "internal" not in done.stderr


def test_a_full_disk_at_the_checkpoint_is_exit_2_naming_the_folder(tiny_model_dir, tmp_path):  # noqa: F811
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs")
    try:
        data = write_chat_jsonl(tmp_path / "train.jsonl", rows=8)
        done = train("--model-dir", str(tiny_model_dir), "--data", str(data), "--output", str(disk / "run"),
                     "--save-every", "1")
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
    assert done.returncode == ev.EXIT_BAD_INPUT, done.stderr[-1500:]
    assert str(disk / "run") in done.stderr and "disk" in done.stderr and "internal" not in done.stderr


def test_merge_prefers_safetensors_over_a_pickle_beside_them(tiny_model_dir, tmp_path):  # noqa: F811
    model = copy_model(tiny_model_dir, tmp_path / "model")
    (model / "pytorch_model.bin").write_bytes(b"not a pickle: loading this would fail")
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=8)
    done = train("--model-dir", str(model), "--data", str(data), "--output", str(tmp_path / "run"),
                 "--merge", "--allow-pickle-weights")
    assert done.returncode == ev.EXIT_OK, done.stderr[-1500:]
    assert (tmp_path / "run" / "merged").is_dir()
