"""`ftwizard detect [--json] [--timeout S]`: what this workstation can do."""

from __future__ import annotations

import argparse

from ftwizard.base.units import gpu_label, mem_gib, profile_summary
from ftwizard.cli.common import add_json_flag, catalog_from_args, print_json

STATUS_WORDS = {
    "ok": "ok",
    "not_available": "not available",
    "failed": "FAILED",
    "timed_out": "TIMED OUT",
    "skipped": "skipped",
}


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("detect", help="detect GPUs, CPU, RAM and free disk on this workstation")
    p.add_argument(
        "--timeout",
        type=float,
        default=3.0,
        metavar="S",
        help="seconds each driver tool may take before it is given up (default 3)",
    )
    add_json_flag(p)
    return p


def _gib(x: float | None) -> str:
    """Detection reports GiB: the vendors' GB (a '24 GB' card reads 24 GB), as everywhere."""
    return mem_gib(x, dash="unknown")


def run(args: argparse.Namespace) -> int:
    from ftwizard.base.errors import HardwareError
    from ftwizard.hardware.detect import detect

    if not args.timeout > 0:
        raise HardwareError(f"--timeout: must be a positive number of seconds, got {args.timeout:g}")
    profile = detect(catalog=catalog_from_args(args), timeout_s=args.timeout)
    if args.json:
        print_json(profile)
        return 0
    print(profile_summary(profile))
    for g in profile.gpus:
        where = f"GPU {g.mig_parent_index}/MIG {g.mig_device_index}" if g.is_mig_slice else f"GPU {g.index}"
        facts = [f"{g.vendor}"]
        if g.compute_capability:
            facts.append(f"compute {g.compute_capability}")
        if g.bf16_supported is not None:
            facts.append("bf16" if g.bf16_supported else "no bf16")
        if g.driver_version:
            facts.append(f"driver {g.driver_version}")
        if g.cuda_version:
            facts.append(f"CUDA {g.cuda_version}")
        if g.processes:
            facts.append(f"{g.processes} process{'es' if g.processes > 1 else ''} running")
        if g.mig and not g.is_mig_slice:
            facts.append("MIG mode: use its slices")
        print(f"  {where:<13} {gpu_label(g)}  [{', '.join(facts)}]")
        print(f"  {'':<13} catalog: {g.catalog_gpu_id or '-'}{f' ({g.catalog_note})' if g.catalog_note else ''}")
    cpu = profile.cpu
    cores = f"{cpu.logical_cores} logical cores" if cpu.logical_cores else "cores unknown"
    if cpu.physical_cores:
        cores += f", {cpu.physical_cores} physical"
    print(f"  {'CPU':<13} {cpu.model or 'unknown model'} ({cores})")
    print(f"  {'RAM':<13} {_gib(profile.ram_total_gib)} total, {_gib(profile.ram_available_gib)} available")
    print(f"  {'Disk':<13} {_gib(profile.runs_disk_free_gib)} free in {profile.runs_dir}")
    print(f"  {'OS':<13} {profile.os}")
    print("Backends tried:")
    for b in profile.backends:
        reason = f"  {b.reason}" if b.reason else ""
        print(f"  {b.backend:<13} {STATUS_WORDS[b.status]:<14} {b.seconds:6.3f} s{reason}")
    return 0
