"""NVIDIA workstations, seen through recorded nvidia-smi output and a stand-in NVML."""

from __future__ import annotations

import pytest

from _hardware_fakes import RecordedRunner, fake_pynvml, fixture, nvidia_box
from ftwizard.catalog.store import load_catalog
from ftwizard.hardware import nvidia_smi
from ftwizard.hardware.base import CommandResult, ProbeError
from ftwizard.hardware.detect import detect
from ftwizard.hardware.nvidia_smi import NvidiaSmiBackend
from ftwizard.hardware.nvml import NvmlBackend


def profile_from(outputs, tmp_path, backends=None, **kw):
    return detect(
        catalog=load_catalog(),
        runs_dir=tmp_path,
        timeout_s=2.0,
        runner=RecordedRunner(outputs),
        backends=backends or [NvmlBackend(module=fake_pynvml([], init_error="no driver")), NvidiaSmiBackend()],
        os_system="Linux",
        **kw,
    )


def test_a_single_rtx_4090_desktop_is_found_with_its_catalog_entry(tmp_path):
    p = profile_from(nvidia_box("nvidia-smi-rtx4090.csv", "nvidia-smi-rtx4090.txt"), tmp_path)
    [g] = p.gpus
    assert g.name == "NVIDIA GeForce RTX 4090"
    assert g.memory_total_gib == pytest.approx(24564 / 1024)
    assert g.memory_free_gib == pytest.approx(23970 / 1024)
    assert g.compute_capability == "8.9" and g.bf16_supported is True
    assert g.driver_version == "550.54.14" and g.cuda_version == "12.4"
    assert g.pci_bus_id == "00000000:01:00.0" and g.uuid.startswith("GPU-3a1c")
    assert g.catalog_gpu_id == "rtx-4090" and g.catalog_note is None
    assert not g.busy and not g.mig
    assert p.summary == "1 x NVIDIA GeForce RTX 4090 (24.0 GiB, 23.4 GiB free)."
    nvml, smi = p.backends[0], p.backends[1]
    assert nvml.status == "not_available" and "NVML library not found" in nvml.reason
    assert smi.ok and smi.gpus_found == 1


@pytest.mark.parametrize(
    ("csv", "catalog_id", "cc"),
    [
        ("nvidia-smi-a100-80gb-pcie.csv", "a100-80gb-pcie", "8.0"),
        ("nvidia-smi-h100-80gb-hbm3.csv", "h100-sxm-80gb", "9.0"),
    ],
)
def test_datacentre_cards_match_their_catalog_entries(tmp_path, csv, catalog_id, cc):
    p = profile_from(nvidia_box(csv), tmp_path)
    [g] = p.gpus
    assert (g.catalog_gpu_id, g.compute_capability, g.bf16_supported) == (catalog_id, cc, True)
    assert g.memory_total_gib > 79
    assert g.cuda_version is None  # no plain table recorded: the fact stays unknown
    assert "CUDA version unknown" in p.backends[1].reason


def test_a_four_a100_node_with_one_card_taken_by_another_job(tmp_path):
    p = profile_from(
        nvidia_box("nvidia-smi-a100-sxm4-80gb-x4.csv", apps="nvidia-smi-a100-sxm4-80gb-x4-apps.csv"),
        tmp_path,
    )
    assert [g.index for g in p.gpus] == [0, 1, 2, 3]
    assert {g.catalog_gpu_id for g in p.gpus} == {"a100-80gb-sxm"}
    busy = [g.index for g in p.gpus if g.busy]
    assert busy == [2]
    assert p.gpus[2].processes == 1 and p.gpus[0].processes == 0
    assert p.gpus[2].memory_free_gib == pytest.approx(12861 / 1024)
    assert "1 in use by other processes" in p.summary
    assert len(p.usable_gpus()) == 4


def test_a_box_with_two_different_cards_lists_both_and_flags_the_busy_one(tmp_path):
    p = profile_from(
        nvidia_box("nvidia-smi-mixed-4090-3090.csv", apps="nvidia-smi-mixed-4090-3090-apps.csv"),
        tmp_path,
    )
    by_id = {g.catalog_gpu_id: g for g in p.gpus}
    assert set(by_id) == {"rtx-4090", "rtx-3090"}
    assert by_id["rtx-3090"].busy and by_id["rtx-3090"].compute_capability == "8.6"
    assert not by_id["rtx-4090"].busy
    assert p.summary.startswith("1 x NVIDIA GeForce RTX 4090 (24.0 GiB, 23.5 GiB free); 1 x NVIDIA GeForce RTX 3090")


def test_a_mig_partitioned_a100_offers_its_slices_not_the_whole_card(tmp_path):
    p = profile_from(
        nvidia_box("nvidia-smi-mig-a100.csv", "nvidia-smi-mig-a100.txt", listing="nvidia-smi-mig-a100-L.txt"),
        tmp_path,
    )
    parent, *slices = p.gpus
    assert parent.mig and not parent.is_mig_slice
    assert [s.mig_profile for s in slices] == ["3g.40gb", "2g.20gb", "1g.10gb"]
    assert all(s.is_mig_slice and s.mig_parent_index == 0 for s in slices)
    assert [s.memory_total_gib for s in slices] == pytest.approx([40192 / 1024, 19968 / 1024, 9728 / 1024])
    assert [s.compute_fraction for s in slices] == pytest.approx([3 / 7, 2 / 7, 1 / 7])
    assert slices[0].uuid == "MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f"
    # the 2g slice has 12 GB taken by a python process
    assert slices[1].busy and not slices[0].busy
    assert p.usable_gpus() == slices
    assert slices[0].catalog_gpu_id == "a100-80gb-sxm" and "MIG slice 3g.40gb" in slices[0].catalog_note
    assert p.summary.startswith("1 x NVIDIA A100-SXM4-80GB MIG 3g.40gb (39.2 GiB, 39.2 GiB free)")
    assert p.gpus[0].cuda_version == "12.2"


def test_mig_mode_without_slice_listing_says_no_gpu_is_usable(tmp_path):
    outputs = nvidia_box("nvidia-smi-mig-a100.csv")
    outputs[tuple(nvidia_smi.LIST_ARGV)] = CommandResult(("nvidia-smi", "-L"), 9, "", "Insufficient Permissions")
    p = profile_from(outputs, tmp_path)
    assert p.usable_gpus() == []
    assert p.summary.startswith("No usable GPU: NVIDIA A100-SXM4-80GB in MIG mode and no MIG slice found")
    assert "MIG slices unknown: nvidia-smi exited with 9: Insufficient Permissions" in p.backends[1].reason


def test_an_old_driver_without_compute_cap_is_asked_again_with_fewer_fields(tmp_path):
    basic = tuple(nvidia_smi.query_argv(nvidia_smi.BASIC_FIELDS))
    outputs = {
        tuple(nvidia_smi.query_argv()): CommandResult(
            (), 2, 'Field "compute_cap" is not a valid field to query.\n', ""
        ),
        basic: fixture("nvidia-smi-old-driver.csv"),
        tuple(nvidia_smi.APPS_ARGV): "",
    }
    p = profile_from(outputs, tmp_path)
    [g] = p.gpus
    assert g.name == "Tesla V100-SXM2-16GB" and g.catalog_gpu_id == "v100-16gb"
    assert g.compute_capability is None and g.bf16_supported is None
    assert g.driver_version == "470.182.03"


def test_garbled_nvidia_smi_output_is_a_reported_failure_not_a_crash(tmp_path):
    outputs = {tuple(nvidia_smi.query_argv()): "0, NVIDIA GeForce RTX 4090, 24564\n"}
    p = profile_from(outputs, tmp_path)
    assert p.gpus == []
    smi = p.backends[1]
    assert smi.status == "failed" and "line 1: expected 10 fields, got 3" in smi.reason
    assert p.summary.startswith("No supported GPU found")


def test_nvidia_smi_failing_with_driver_error_names_it():
    runner = RecordedRunner(
        {
            tuple(nvidia_smi.query_argv()): CommandResult(
                (),
                9,
                "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                "Make sure that the latest NVIDIA driver is installed and running.\n",
                "",
            )
        }
    )
    with pytest.raises(ProbeError, match="exited with 9: NVIDIA-SMI has failed because it couldn't communicate"):
        NvidiaSmiBackend().probe(runner, 1.0)


# --- NVML ---------------------------------------------------------------------------------

RTX4090 = {
    "name": "NVIDIA GeForce RTX 4090",
    "total_gib": 23.99,
    "free_gib": 23.4,
    "cc": (8, 9),
    "uuid": "GPU-aaaa",
    "bus": "00000000:01:00.0",
    "processes": 0,
}


def test_nvml_reports_exact_memory_processes_and_cuda_version(tmp_path):
    busy_3090 = dict(RTX4090, name="NVIDIA GeForce RTX 3090", total_gib=24.0, free_gib=23.0,
                     cc=(8, 6), uuid="GPU-bbbb", processes=2)
    nv = fake_pynvml([RTX4090, busy_3090], driver="560.35.03", cuda=12060)
    p = profile_from({}, tmp_path, backends=[NvmlBackend(module=nv), NvidiaSmiBackend()])
    assert [g.backend for g in p.gpus] == ["nvml", "nvml"]
    a, b = p.gpus
    assert a.memory_total_gib == pytest.approx(23.99, abs=1e-6)
    assert (a.cuda_version, a.driver_version, a.compute_capability) == ("12.6", "560.35.03", "8.9")
    assert a.pci_bus_id == "00000000:01:00.0"  # bytes from old bindings are decoded
    assert b.processes == 2 and b.busy  # processes count even with 96% free
    assert b.catalog_gpu_id == "rtx-3090"
    assert p.backends[1].status == "skipped"  # no second opinion needed
    assert nv.calls == ["init", "shutdown"]


def test_nvml_lists_mig_slices_under_their_gpu(tmp_path):
    a100 = {
        "name": "NVIDIA A100-SXM4-80GB",
        "total_gib": 80.0,
        "free_gib": 79.5,
        "cc": (8, 0),
        "uuid": "GPU-cccc",
        "bus": "00000000:07:00.0",
        "mig_slices": [
            ("NVIDIA A100-SXM4-80GB MIG 4g.40gb", 39.25, 39.2),
            ("NVIDIA A100-SXM4-80GB MIG 3g.40gb", 39.25, 20.0),
        ],
    }
    p = profile_from({}, tmp_path, backends=[NvmlBackend(module=fake_pynvml([a100]))])
    parent, s0, s1 = p.gpus
    assert parent.mig and not parent.is_mig_slice
    assert (s0.mig_profile, s0.mig_device_index, s0.compute_fraction) == ("4g.40gb", 0, pytest.approx(4 / 7))
    assert s1.busy and not s0.busy
    assert p.usable_gpus() == [s0, s1]
    assert s0.catalog_gpu_id == "a100-80gb-sxm"


def test_nvml_driver_library_mismatch_falls_back_to_nvidia_smi(tmp_path):
    nv = fake_pynvml([RTX4090], init_error="mismatch")
    p = profile_from(
        nvidia_box("nvidia-smi-rtx4090.csv"), tmp_path, backends=[NvmlBackend(module=nv), NvidiaSmiBackend()]
    )
    assert p.backends[0].status == "failed"
    assert p.backends[0].reason == "NVML could not start: Driver/library version mismatch"
    assert [g.backend for g in p.gpus] == ["nvidia-smi"]
    assert p.failed_backends() == [p.backends[0]]


def test_missing_nvidia_ml_py_is_not_an_error(monkeypatch):
    import sys

    from ftwizard.hardware.base import ToolMissing

    monkeypatch.setitem(sys.modules, "pynvml", None)  # makes `import pynvml` fail
    with pytest.raises(ToolMissing, match="nvidia-ml-py"):
        NvmlBackend().probe(RecordedRunner({}), 1.0)
