"""GPUs from gpus_reference.csv."""

from __future__ import annotations

import re

from .parsing import first_number, parse_bool

# --------------------------------------------------------------------------------------
# GPUs
# --------------------------------------------------------------------------------------
GPU_IDS = {
    "NVIDIA H200 (SXM)": "h200",
    "NVIDIA H100 SXM 80GB": "h100-sxm-80gb",
    "NVIDIA H100 PCIe 80GB": "h100-pcie-80gb",
    "NVIDIA A100 80GB SXM": "a100-80gb-sxm",
    "NVIDIA A100 40GB": "a100-40gb",
    "NVIDIA L40S": "l40s",
    "NVIDIA L4": "l4",
    "NVIDIA A10": "a10",
    "NVIDIA A10G (AWS)": "a10g",
    "NVIDIA T4": "t4",
    "NVIDIA V100 SXM2 16GB / 32GB": "v100",  # split below
    "NVIDIA GeForce RTX 3090": "rtx-3090",
    "NVIDIA GeForce RTX 4090": "rtx-4090",
    "NVIDIA GeForce RTX 5090": "rtx-5090",
    "NVIDIA RTX A6000": "rtx-a6000",
    "NVIDIA RTX 6000 Ada Generation": "rtx-6000-ada",
    "NVIDIA GeForce RTX 4060 Ti 16GB": "rtx-4060-ti-16gb",
    "NVIDIA GeForce RTX 3060 12GB": "rtx-3060-12gb",
    "AMD Instinct MI300X": "mi300x",
    "AMD Instinct MI250": "mi250",
    "Apple M-series (note only)": "apple-m-series",
}
# Cells the CSV itself marks as not read from a source (catalog_notes section 7): kept blank.
UNSOURCED_CC = {"a10g", "rtx-5090"}
# Names in the notes column (catalog_notes section 5) that belong to the row's entry.
NOTE_NAMES = {"h200": ["NVIDIA H200 NVL"]}


def _gpu_num(cell: str, label: str, notes: list[str]) -> float | None:
    cell = cell.strip()
    if not cell or cell.lower().startswith("n/a"):
        return None
    v = first_number(cell)
    if v is None:
        return None
    if not re.fullmatch(r"\d+(\.\d+)?", cell):
        notes.append(f"{label}: {cell}.")
    return v


# Every GPU row's figures come from spec tables, reviews or code that quote the vendors'
# datasheets (gpus_reference.csv); none was read from NVIDIA/AMD directly, so each row is
# marked third_party (shown as such) until a datasheet is read.
GPU_SOURCE_KIND = "third_party"


def build_gpus(rows: list[dict[str, str]]) -> list[dict]:
    gpus = []
    for row in rows:
        gid = GPU_IDS[row["gpu"]]
        vendor = (
            "amd"
            if row["gpu"].startswith("AMD")
            else "apple"
            if row["gpu"].startswith("Apple")
            else "nvidia"
        )
        notes: list[str] = []
        names = []
        if vendor == "nvidia":
            names = [
                re.sub(r"\s*\((SXM|PCIe)\)$", "", n).strip() for n in row["nvml_name"].split(" / ")
            ]
        elif vendor == "amd":
            names = [row["nvml_name"].split(" (")[0].strip()]
        names += NOTE_NAMES.get(gid, [])
        cc_cell = row["compute_capability"].strip()
        cc = re.match(r"(\d+\.\d+)", cc_cell)
        cc_val = cc.group(1) if cc else None
        if gid in UNSOURCED_CC:
            notes.append(f"Compute capability left blank: CSV says '{cc_cell}'.")
            cc_val = None
        elif cc_cell and not re.fullmatch(r"\d+\.\d+", cc_cell):
            notes.append(f"Compute capability: {cc_cell}.")
        entry = {
            "id": gid,
            "name": row["gpu"].replace(" (note only)", ""),
            "vendor": vendor,
            "match_names": names,
            "memory_gb": None if vendor == "apple" else _gpu_num(row["memory_gb"], "Memory", []),
            "memory_type": row["memory_type"].strip() or None,
            "bandwidth_gbs": None
            if vendor == "apple"
            else _gpu_num(row["bandwidth_gbs"], "Bandwidth GB/s", notes),
            "bf16_dense_tflops": _gpu_num(row["bf16_dense_tflops"], "BF16 dense TFLOPS", notes),
            "fp16_dense_tflops": _gpu_num(row["fp16_dense_tflops"], "FP16 dense TFLOPS", notes),
            "fp32_tflops": _gpu_num(row["fp32_tflops"], "FP32 TFLOPS", notes),
            "bf16_supported": parse_bool(row["bf16_supported"]),
            "compute_capability": cc_val,
            "tdp_w": _gpu_num(row["tdp_w"], "TDP W", notes),
            "consumer": "GeForce" in row["gpu"],
            "source": row["source"].strip(),
            "source_kind": GPU_SOURCE_KIND,
            "confidence": row["confidence"].strip(),
            "notes": None,
        }
        csv_notes = row["notes"].strip()
        if vendor == "apple":
            entry["memory_type"] = None
            notes = [
                f"Memory: {row['memory_gb']}; memory type {row['memory_type']}; bandwidth {row['bandwidth_gbs']}; "
                f"bf16: {row['bf16_supported']}. Device name: {row['nvml_name']}.",
            ]
        if gid == "a100-80gb-sxm":
            # The PCIe variant's facts sit in this row's notes: it becomes its own entry below.
            csv_notes = ""
        if gid == "h200":
            notes.append(
                "The NVL name is matched to this entry too (there is no separate NVL entry)."
            )
        if gid == "a100-40gb":
            notes.append("Matches both the SXM4 and the PCIe names.")
        entry["notes"] = " ".join(([csv_notes] if csv_notes else []) + notes) or None
        if gid == "mi250":
            # Software sees one MI250 as two devices (GCDs) of 64 GB: the entry describes what
            # detection matches and the estimator sizes, so each figure is the package's / 2.
            for key in ("memory_gb", "bandwidth_gbs", "bf16_dense_tflops", "fp16_dense_tflops", "fp32_tflops", "tdp_w"):
                if entry.get(key):
                    entry[key] = round(entry[key] / 2, 2)
            entry["name"] = "AMD Instinct MI250 (one of its two 64 GB devices)"
            entry["notes"] = (entry["notes"] or "") + (
                " Figures are per device: ROCm and torch show one MI250 as two devices of 64 GB, so the"
                " package's 128 GB, 3277 GB/s and 362.1 TFLOPS are halved here."
            )
        if gid == "v100":
            for mem in (16, 32):
                e = dict(entry)
                e["id"] = f"v100-{mem}gb"
                e["name"] = f"NVIDIA V100 SXM2 {mem}GB"
                e["memory_gb"] = float(mem)
                e["match_names"] = [f"Tesla V100-SXM2-{mem}GB", f"Tesla V100-PCIE-{mem}GB"]
                e["notes"] = (
                    f"Split from the CSV row 'V100 SXM2 16GB / 32GB'. The PCIe name 'Tesla V100-PCIE-{mem}GB' "
                    "also matches here, but PCIe cards are slower: 112 TFLOPS fp16 tensor, 14 TFLOPS fp32, 250 W. "
                    "No bf16: use fp16 with loss scaling, or fp32. llm-analysis v100-sxm-16gb.json wrongly says 32 GB."
                )
                gpus.append(e)
            continue
        gpus.append(entry)
        if gid == "a100-80gb-sxm":
            gpus.append(
                {
                    "id": "a100-80gb-pcie",
                    "name": "NVIDIA A100 80GB PCIe",
                    "vendor": "nvidia",
                    "match_names": ["NVIDIA A100 80GB PCIe", "NVIDIA A100-PCIE-80GB"],
                    "memory_gb": 80.0,
                    "memory_type": None,
                    "bandwidth_gbs": 1935.0,
                    "bf16_dense_tflops": 312.0,
                    "fp16_dense_tflops": 312.0,
                    "fp32_tflops": 19.5,
                    "bf16_supported": True,
                    "compute_capability": "8.0",
                    "tdp_w": 300.0,
                    "consumer": False,
                    "source": row["source"].strip(),
                    "confidence": "partial",
                    "notes": (
                        "From the notes of the CSV row 'NVIDIA A100 80GB SXM': NVML 'NVIDIA A100 80GB PCIe' (vLLM, RunPod list) "
                        "vs installer list 'NVIDIA A100-PCIE-80GB'; 1935 GB/s, 300 W. Tensor peaks, fp32, bf16 and compute "
                        "capability are the A100 values of the CSV's other A100 rows (the 40GB row covers the PCIe form factor "
                        "with the same figures); memory type not stated for this variant."
                    ),
                }
            )
        if gid == "rtx-4060-ti-16gb":
            gpus.append(
                {
                    "id": "rtx-4060-ti-8gb",
                    "name": "NVIDIA GeForce RTX 4060 Ti 8GB",
                    "vendor": "nvidia",
                    "match_names": ["NVIDIA GeForce RTX 4060 Ti"],
                    "memory_gb": 8.0,
                    "memory_type": None,
                    "bandwidth_gbs": None,
                    "bf16_dense_tflops": None,
                    "fp16_dense_tflops": None,
                    "fp32_tflops": None,
                    "bf16_supported": True,
                    "compute_capability": "8.9",
                    "tdp_w": 160.0,
                    "consumer": True,
                    "source": row["source"].strip(),
                    "confidence": "partial",
                    "notes": (
                        "From the CSV row 'RTX 4060 Ti 16GB': same NVML name as the 16 GB card, told apart by memory.total "
                        "(~8188 MiB vs 16380 MiB); TDP 160 W. bf16 and compute capability as the 16 GB card (same name and "
                        "generation); bandwidth and FLOPS not sourced for the 8 GB model."
                    ),
                }
            )
        if gid == "rtx-3060-12gb":
            gpus.append(
                {
                    "id": "rtx-3060-8gb",
                    "name": "NVIDIA GeForce RTX 3060 8GB",
                    "vendor": "nvidia",
                    "match_names": ["NVIDIA GeForce RTX 3060"],
                    "memory_gb": 8.0,
                    "memory_type": None,
                    "bandwidth_gbs": 240.0,
                    "bf16_dense_tflops": None,
                    "fp16_dense_tflops": None,
                    "fp32_tflops": None,
                    "bf16_supported": True,
                    "compute_capability": "8.6",
                    "tdp_w": None,
                    "consumer": True,
                    "source": row["source"].strip(),
                    "confidence": "partial",
                    "notes": (
                        "From the notes of the CSV row 'RTX 3060 12GB': an 8 GB RTX 3060 with the same NVML name and 240 GB/s; "
                        "told apart by memory.total. bf16 and compute capability as the 12 GB card; other figures not sourced."
                    ),
                }
            )
    return gpus


