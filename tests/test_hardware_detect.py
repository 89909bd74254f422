"""Detection as a whole: it never hangs, never crashes, and says what it could not ask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from _hardware_fakes import RecordedRunner, fake_pynvml, nvidia_box
from ftwizard.base.jsonio import load_model, write_model
from ftwizard.catalog.store import load_catalog
from ftwizard.cli.main import main
from ftwizard.hardware import nvidia_smi
from ftwizard.hardware.base import ProbeTimeout, ToolMissing, run_command
from ftwizard.hardware.detect import detect
from ftwizard.hardware.nvidia_smi import NvidiaSmiBackend
from ftwizard.hardware.nvml import NvmlBackend
from ftwizard.hardware.profile import HardwareProfile
from ftwizard.hardware.rocm import RocmBackend
from ftwizard.schemas import json_schema


def test_a_hung_tool_is_stopped_at_its_timeout():
    t0 = time.perf_counter()
    with pytest.raises(ProbeTimeout, match="sleep did not answer within 0.3 s"):
        run_command(["sleep", "30"], 0.3)
    assert time.perf_counter() - t0 < 3


def test_a_hung_tool_whose_children_hold_its_output_does_not_hang_either():
    # the shell's background child keeps stdout open after the shell itself is killed
    t0 = time.perf_counter()
    with pytest.raises(ProbeTimeout):
        run_command(["sh", "-c", "sleep 30 & sleep 30; wait"], 0.3)
    assert time.perf_counter() - t0 < 3


def test_a_missing_tool_is_reported_without_starting_anything():
    with pytest.raises(ToolMissing, match="no-such-gpu-tool-xyz not found on PATH"):
        run_command(["no-such-gpu-tool-xyz", "--json"], 1.0)


def test_a_hung_nvidia_smi_and_a_hung_nvml_leave_detection_going(tmp_path):
    """A wedged driver: NVML blocks in init and nvidia-smi never answers. ROCm still runs."""
    release = threading.Event()

    def runner(argv, timeout_s):
        if argv[0] == "nvidia-smi":
            return run_command(["sleep", "30"], timeout_s)  # genuinely hangs
        raise ToolMissing(f"{argv[0]} not found on PATH")

    nv = fake_pynvml([], init_block=release)
    t0 = time.perf_counter()
    try:
        p = detect(
            catalog=load_catalog(),
            runs_dir=tmp_path,
            timeout_s=0.4,
            runner=runner,
            backends=[NvmlBackend(module=nv), NvidiaSmiBackend(), RocmBackend()],
            os_system="Linux",
        )
    finally:
        release.set()
    assert time.perf_counter() - t0 < 5
    status = {b.backend: (b.status, b.reason) for b in p.backends}
    assert status["nvml"][0] == "timed_out" and "within 0.4 s" in status["nvml"][1]
    assert status["nvidia-smi"] == ("timed_out", "sleep did not answer within 0.4 s (stopped)")
    assert status["rocm"][0] == "not_available"
    assert status["system"][0] == "ok"
    assert [b.backend for b in p.failed_backends()] == ["nvml", "nvidia-smi"]
    assert p.summary.startswith("No supported GPU found: CPU-only")

    # asked again (the GUI's "detect again"), the stuck library is not called a second time
    again = detect(catalog=load_catalog(), runs_dir=tmp_path, timeout_s=0.4,
                   runner=RecordedRunner({}), backends=[NvmlBackend(module=nv)], os_system="Linux")
    assert again.backends[0].status == "timed_out" and "hung earlier" in again.backends[0].reason
    assert nv.calls.count("init") == 1


def test_a_backend_bug_is_reported_not_raised(tmp_path):
    class Broken:
        name = "nvidia-smi"

        def probe(self, runner, timeout_s):
            return {}["index"]

    p = detect(catalog=load_catalog(), runs_dir=tmp_path, runner=RecordedRunner({}), backends=[Broken()])
    [attempt, _system] = p.backends
    assert attempt.status == "failed"
    assert attempt.reason == "unexpected output or error: KeyError: 'index'"


def test_detection_works_when_the_catalog_cannot_load(tmp_path):
    class Unloadable:
        @property
        def version(self):
            raise RuntimeError("resources/catalog/gpus.json: $.gpus[3].memory_gb: not a number")

    p = detect(
        catalog=Unloadable(),
        runs_dir=tmp_path,
        runner=RecordedRunner(nvidia_box("nvidia-smi-rtx4090.csv")),
        backends=[NvidiaSmiBackend()],
    )
    [g] = p.gpus
    assert g.catalog_gpu_id is None and p.catalog_version is None
    assert g.catalog_note.startswith("catalog unavailable (RuntimeError: resources/catalog/gpus.json")
    assert g.memory_total_gib == pytest.approx(24564 / 1024)  # the raw facts stay


def test_a_card_only_a_user_catalog_knows_is_matched_through_it(tmp_path):
    overlay = tmp_path / "site.json"
    overlay.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "version": "site-1",
                "as_of": "2026-11-01",
                "gpus": [
                    {
                        "id": "rtx-a4000",
                        "name": "NVIDIA RTX A4000",
                        "vendor": "nvidia",
                        "match_names": ["NVIDIA RTX A4000"],
                        "memory_gb": 16,
                        "source": "site inventory",
                        "confidence": "partial",
                    }
                ],
            }
        )
    )
    csv = "0, NVIDIA RTX A4000, 16376, 16110, 1, 8.6, 550.54.14, GPU-1234, 00000000:65:00.0, [N/A]\n"
    runner = RecordedRunner({tuple(nvidia_smi.query_argv()): csv, tuple(nvidia_smi.APPS_ARGV): ""})
    shipped = detect(catalog=load_catalog(), runs_dir=tmp_path, runner=runner, backends=[NvidiaSmiBackend()])
    assert shipped.gpus[0].catalog_gpu_id is None
    assert shipped.gpus[0].catalog_note.startswith("not in catalog: 'NVIDIA RTX A4000', 16.0 GiB")
    site = detect(catalog=load_catalog(overlay), runs_dir=tmp_path, runner=runner, backends=[NvidiaSmiBackend()])
    assert site.gpus[0].catalog_gpu_id == "rtx-a4000"


def test_cards_sharing_a_name_are_told_apart_by_memory(tmp_path):
    def one(mib):
        csv = f"0, NVIDIA GeForce RTX 4060 Ti, {mib}, {mib - 300}, 1, 8.9, 550.54.14, GPU-1, 00000000:01:00.0, [N/A]\n"
        runner = RecordedRunner({tuple(nvidia_smi.query_argv()): csv, tuple(nvidia_smi.APPS_ARGV): ""})
        p = detect(catalog=load_catalog(), runs_dir=tmp_path, runner=runner, backends=[NvidiaSmiBackend()])
        return p.gpus[0].catalog_gpu_id

    assert one(16380) == "rtx-4060-ti-16gb"
    assert one(8188) == "rtx-4060-ti-8gb"


def test_a_profile_survives_a_round_trip_through_its_file(tmp_path):
    p = detect(
        catalog=load_catalog(),
        runs_dir=tmp_path,
        runner=RecordedRunner(
            nvidia_box("nvidia-smi-mig-a100.csv", "nvidia-smi-mig-a100.txt", listing="nvidia-smi-mig-a100-L.txt")
        ),
        backends=[NvidiaSmiBackend()],
    )
    path = tmp_path / "hardware.json"
    write_model(path, p)
    data = json.loads(path.read_text())
    assert data["schema_version"] == 1 and data["summary"] == p.summary
    assert [g["busy"] for g in data["gpus"]] == [g.busy for g in p.gpus]
    back = load_model(HardwareProfile, path)
    assert back == p and back.usable_gpus() == p.usable_gpus()
    assert "gpus" in json_schema("hardware-profile")["properties"]


def _cpu_only_machine(monkeypatch, tmp_path):
    """No vendor tool on PATH and no NVML bindings, whatever machine runs the test."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setitem(sys.modules, "pynvml", None)


def test_ftwizard_detect_on_a_cpu_only_machine_says_so_plainly(monkeypatch, tmp_path, capsys):
    _cpu_only_machine(monkeypatch, tmp_path)
    assert main(["detect"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("No supported GPU found: CPU-only (")
    assert "nvidia-smi    not available" in out and "nvidia-smi not found on PATH" in out


def test_ftwizard_detect_json_is_a_valid_profile(monkeypatch, tmp_path, capsys):
    _cpu_only_machine(monkeypatch, tmp_path)
    assert main(["detect", "--json", "--timeout", "1.5"]) == 0
    profile = HardwareProfile.model_validate_json(capsys.readouterr().out)
    assert profile.gpus == [] and profile.cpu.logical_cores
    assert profile.ram_total_gib and profile.ram_total_gib > 0
    assert Path(profile.runs_dir) == Path(os.environ["FTWIZARD_HOME"]) / "data" / "runs"
    assert profile.runs_disk_free_gib is not None and profile.runs_disk_free_gib > 0


def test_ftwizard_detect_refuses_a_zero_timeout(capsys):
    assert main(["detect", "--timeout", "0"]) == 2
    assert "--timeout: must be a positive number of seconds" in capsys.readouterr().err


def test_ftwizard_detect_runs_as_a_program(tmp_path):
    env = {"PATH": str(tmp_path), "FTWIZARD_HOME": str(tmp_path / "home"), "PYTHONNOUSERSITE": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "ftwizard", "detect", "--json"], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == 0, out.stderr
    profile = HardwareProfile.model_validate_json(out.stdout)
    assert profile.runs_dir == str(tmp_path / "home" / "data" / "runs")


def test_importing_the_hardware_package_loads_no_nvml(tmp_path):
    """NVML is loaded when detection runs, not when the GUI imports the package."""
    (tmp_path / "pynvml.py").write_text("raise SystemExit('pynvml imported at import time')\n")
    code = (
        "import pkgutil, importlib, sys, ftwizard.hardware as h\n"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(h.__path__, 'ftwizard.hardware.')]\n"
        "print('pynvml' in sys.modules)"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
