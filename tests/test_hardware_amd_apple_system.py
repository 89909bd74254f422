"""AMD and Apple workstations, and the CPU/RAM/disk facts every profile carries."""

from __future__ import annotations

import pytest

from _hardware_fakes import FIX, RecordedRunner, apple_box, fixture, rocm_box
from ftwizard.catalog.store import load_catalog
from ftwizard.hardware import rocm
from ftwizard.hardware.apple import AppleBackend
from ftwizard.hardware.base import ToolMissing
from ftwizard.hardware.detect import detect
from ftwizard.hardware.rocm import RocmBackend
from ftwizard.hardware.system import disk_free_gib, system_facts


def profile_from(outputs, tmp_path, os_system="Linux"):
    return detect(
        catalog=load_catalog(),
        runs_dir=tmp_path,
        timeout_s=2.0,
        runner=RecordedRunner(outputs),
        backends=[RocmBackend(), AppleBackend()],
        os_system=os_system,
    )


def test_an_mi300x_node_reports_both_cards_and_the_busy_one(tmp_path):
    p = profile_from(rocm_box("rocm-smi-mi300x.json"), tmp_path)
    a, b = p.gpus
    assert a.vendor == "amd" and a.backend == "rocm-smi"
    assert a.name == "AMD Instinct MI300X OAM"
    assert a.memory_total_gib == pytest.approx(205822885888 / 2**30)
    assert a.compute_capability == "gfx942" and a.bf16_supported is True
    assert a.driver_version == "6.7.0" and a.pci_bus_id == "0000:05:00.0"
    # the reported name carries the form factor; the catalog entry is found by its start
    assert a.catalog_gpu_id == "mi300x" and "by the start of its name" in a.catalog_note
    assert b.busy and not a.busy
    assert p.summary.count("AMD Instinct MI300X OAM") == 2


def test_an_mi250_shows_as_two_64_gb_devices(tmp_path):
    p = profile_from(rocm_box("rocm-smi-mi250.json"), tmp_path)
    assert [g.index for g in p.gpus] == [0, 1]
    assert all(g.memory_total_gib == pytest.approx(64.0, abs=0.05) for g in p.gpus)
    assert all(g.catalog_gpu_id == "mi250" for g in p.gpus)
    assert all(g.compute_capability == "gfx90a" and g.bf16_supported for g in p.gpus)
    assert p.gpus[0].name == "AMD Instinct MI250X/MI250"  # lower-case keys of older ROCm
    assert p.summary.startswith("2 x AMD Instinct MI250X/MI250 (64.0 GiB, 64.0 GiB free)")


def test_amd_smi_answers_where_rocm_smi_is_gone(tmp_path):
    outputs = {
        tuple(rocm.AMD_SMI_STATIC_ARGV): fixture("amd-smi-static-mi300x.json"),
        tuple(rocm.AMD_SMI_METRIC_ARGV): fixture("amd-smi-metric-mi300x.json"),
    }
    p = profile_from(outputs, tmp_path)
    [g] = p.gpus
    assert (g.backend, g.name, g.catalog_gpu_id) == ("amd-smi", "AMD Instinct MI300X", "mi300x")
    assert g.memory_total_gib == pytest.approx(196592 / 1024)
    assert g.memory_free_gib == pytest.approx(196309 / 1024)
    assert g.driver_version == "6.8.5" and g.pci_bus_id == "0000:05:00.0"


def test_rocm_smi_with_no_amd_card_is_not_an_error():
    runner = RecordedRunner({tuple(rocm.ROCM_SMI_ARGV): "WARNING: No AMD GPUs specified\n{}\n"})
    with pytest.raises(ToolMissing, match="rocm-smi found no AMD GPU"):
        RocmBackend().probe(runner, 1.0)


def test_broken_rocm_json_is_reported_with_its_line(tmp_path):
    p = profile_from({tuple(rocm.ROCM_SMI_ARGV): '{"card0": {"VRAM Total\n'}, tmp_path)
    assert p.gpus == []
    assert p.backends[0].status == "failed"
    assert p.backends[0].reason.startswith("rocm-smi printed invalid JSON (line 1")


def test_an_m2_max_mac_has_one_gpu_on_unified_memory(tmp_path):
    p = profile_from(
        apple_box("apple-m2max-sysctl.txt", "apple-m2max-system_profiler.json"), tmp_path, os_system="Darwin"
    )
    [g] = p.gpus
    assert (g.vendor, g.name, g.gpu_cores) == ("apple", "Apple M2 Max", 38)
    assert g.unified_memory and g.memory_total_gib == 64.0 and g.memory_free_gib is None
    assert not g.busy
    # the catalog has no per-chip Apple entry: the raw facts stay, with a plain note
    assert g.catalog_gpu_id is None
    assert g.catalog_note.startswith("not in catalog: 'Apple M2 Max', 64.0 GiB")
    assert p.summary == "1 x Apple M2 Max (64.0 GiB unified)."
    assert p.cpu.model == "Apple M2 Max" and p.cpu.physical_cores == 12
    assert p.ram_total_gib == 64.0
    rocm_attempt = p.backends[0]
    assert rocm_attempt.status == "skipped"


def test_a_mac_without_system_profiler_still_reports_the_chip(tmp_path):
    p = profile_from(apple_box("apple-m2max-sysctl.txt"), tmp_path, os_system="Darwin")
    [g] = p.gpus
    assert g.gpu_cores is None
    assert "GPU core count unknown: system_profiler not found" in p.backends[1].reason


def test_an_intel_mac_has_no_apple_gpu(tmp_path):
    p = profile_from(apple_box("apple-intel-sysctl.txt"), tmp_path, os_system="Darwin")
    assert p.gpus == []
    assert p.backends[1].status == "not_available"
    assert "not Apple silicon (Intel(R) Core(TM) i9-9880H" in p.backends[1].reason
    assert p.summary == f"No supported GPU found: CPU-only ({p.cpu.logical_cores} cores, 32.0 GiB RAM)."


def test_linux_cpu_and_memory_come_from_proc(tmp_path):
    facts = system_facts(tmp_path, RecordedRunner({}), 1.0, os_system="Linux", proc_root=FIX / "proc")
    assert facts.cpu.model == "Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz"
    assert facts.cpu.physical_cores == 8
    assert facts.ram_total_gib == pytest.approx(65588132 / 2**20)
    assert facts.ram_available_gib == pytest.approx(48213908 / 2**20)
    assert facts.runs_disk_free_gib and facts.runs_disk_free_gib > 0


def test_free_disk_is_measured_where_the_runs_folder_will_be_created(tmp_path):
    not_yet = tmp_path / "runs" / "2026"
    assert disk_free_gib(not_yet) == pytest.approx(disk_free_gib(tmp_path), rel=0.05)
