"""Prices: catalog_notes.md section 6 and the CSV `cloud_prices` column."""

from __future__ import annotations

# --------------------------------------------------------------------------------------
# Prices: catalog_notes.md section 6 and the CSV `cloud_prices` column.
# --------------------------------------------------------------------------------------
LAMBDA_SRC = "github.com/skypilot-org/skypilot-catalog:catalogs/v7/lambda/vms.csv@11580132 (snapshot date not shown by the index)"
RUNPOD_SRC = "github.com/skypilot-org/skypilot-catalog:catalogs/v7/runpod/vms.csv@0727c2bd (secure cloud; snapshot date not shown)"
LAMBDA_LABEL = "SkyPilot catalog snapshot; snapshot date unknown; regions as the snapshot lists them (availability varies)"
RUNPOD_LABEL = "RunPod secure cloud, SkyPilot catalog snapshot; snapshot date unknown"
SEED_SRC = "seed article (not traceable to a price list; catalog_notes.md section 1)"


# Lambda's SkyPilot snapshot lists every GPU instance type at the same price in all of
# these regions (catalogs/v7/lambda/vms.csv@11580132, Region column): us-*, europe-central-1,
# europe-south-1, asia-northeast-1 (Tokyo), asia-northeast-2 (Seoul), asia-south-1 (India),
# australia-east-1, me-west-1. Mapped to the catalog's lower-case codes; availability varies.
LAMBDA_REGIONS = ["us", "eu", "jp", "kr", "in", "au", "il"]
# Cloud region names -> catalog codes (AWS us-east-1 -> us).
REGION_CODES = {"us-east-1": ["us"]}


UNDATED = "; undated, so unverified"


def _price(
    pid,
    provider,
    gpu,
    usd,
    pricing="on_demand",
    n=1,
    region=None,
    traced=True,
    label=None,
    source=LAMBDA_SRC,
    as_of=None,
):
    # `traced` = traced to a provider price list or a catalogue of them. `verified` needs the
    # date as well (issue 21: no 'verified' without a date): the snapshot dates of these
    # catalogues could not be recovered offline and the reference data records no retrieval
    # date, so as_of stays null, verified is false and the label says "undated".
    verified = bool(traced and as_of)
    if traced and not verified:
        label = (label or "") + UNDATED
    if provider == "Lambda":
        regions = LAMBDA_REGIONS
    else:
        regions = REGION_CODES.get(region or "", [])
    return {
        "id": pid,
        "provider": provider,
        "gpu_id": gpu,
        "gpus_per_instance": n,
        "usd_per_gpu_hour": usd,
        "pricing": pricing,
        "region": region,
        "as_of": as_of,
        "verified": verified,
        "traced": traced,
        "label": label,
        "source": source,
        "regions": regions,
    }


PRICES = [
    _price("lambda-a10", "Lambda", "a10", 0.75, label=LAMBDA_LABEL),
    _price(
        "lambda-a6000",
        "Lambda",
        "rtx-a6000",
        0.80,
        label=LAMBDA_LABEL + "; 2x ($1.60/h) and 4x ($3.20/h) cost the same per GPU",
    ),
    _price("lambda-a100-40gb", "Lambda", "a100-40gb", 1.29, label=LAMBDA_LABEL + "; PCIe or SXM4"),
    _price(
        "lambda-a100-40gb-8x",
        "Lambda",
        "a100-40gb",
        1.29,
        n=8,
        label=LAMBDA_LABEL + "; 8x A100 40GB at $10.32/h",
    ),
    _price(
        "lambda-a100-80gb-sxm-8x",
        "Lambda",
        "a100-80gb-sxm",
        1.79,
        n=8,
        label=LAMBDA_LABEL + "; 8x A100 80GB SXM4 at $14.32/h",
    ),
    _price("lambda-h100-pcie", "Lambda", "h100-pcie-80gb", 2.49, label=LAMBDA_LABEL),
    _price(
        "lambda-h100-sxm", "Lambda", "h100-sxm-80gb", 3.29, label=LAMBDA_LABEL + "; 1x H100 SXM5"
    ),
    _price(
        "lambda-h100-sxm-8x",
        "Lambda",
        "h100-sxm-80gb",
        2.99,
        n=8,
        label=LAMBDA_LABEL + "; 8x H100 SXM5 at $23.92/h",
    ),
    _price(
        "lambda-v100-16gb-8x",
        "Lambda",
        "v100-16gb",
        0.55,
        n=8,
        label=LAMBDA_LABEL + "; 8x V100 16GB at $4.40/h",
    ),
    _price(
        "runpod-a100-80gb-pcie",
        "RunPod",
        "a100-80gb-pcie",
        1.64,
        label=RUNPOD_LABEL,
        source=RUNPOD_SRC,
    ),
    _price(
        "runpod-a100-80gb-pcie-spot",
        "RunPod",
        "a100-80gb-pcie",
        1.19,
        pricing="spot",
        label=RUNPOD_LABEL,
        source=RUNPOD_SRC,
    ),
    _price(
        "runpod-a100-80gb-sxm",
        "RunPod",
        "a100-80gb-sxm",
        1.89,
        label=RUNPOD_LABEL,
        source=RUNPOD_SRC,
    ),
    _price(
        "aws-g5-xlarge",
        "AWS",
        "a10g",
        1.006,
        region="us-east-1",
        label="g5.xlarge (1x A10G) on-demand; from a blog dated June 2026 (day unknown)",
        source="https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/",
    ),
    _price(
        "aws-p5-48xlarge-capacity-block",
        "AWS",
        "h100-sxm-80gb",
        4.91625,
        pricing="capacity_block",
        n=8,
        region="us-east-1",
        label="p5.48xlarge Capacity Block, $39.33/h for 8x H100; not an on-demand price; AWS page dated about end 2024",
        source="AWS EC2 Capacity Blocks pricing page (dated ~end 2024), as recorded in gpus_reference.csv (H100 SXM row)",
    ),
    _price(
        "tensorwave-mi300x",
        "TensorWave (via gpu.blog)",
        "mi300x",
        1.71,
        traced=False,
        label="listed on gpu.blog as on-demand; date not shown; unverified",
        source="gpu.blog listing, as recorded in gpus_reference.csv (MI300X row)",
    ),
    _price(
        "vultr-mi300x",
        "Vultr (via gpu.blog)",
        "mi300x",
        1.85,
        traced=False,
        label="listed on gpu.blog as on-demand; date not shown; unverified",
        source="gpu.blog listing, as recorded in gpus_reference.csv (MI300X row)",
    ),
    _price(
        "seed-h100",
        "seed article",
        "h100-sxm-80gb",
        1.99,
        pricing="unknown",
        traced=False,
        label="seed article, unverified; provider and H100 form factor not stated (filed under H100 SXM as in the reference CSV)",
        source=SEED_SRC,
    ),
    _price(
        "seed-a100",
        "seed article",
        "a100-80gb-pcie",
        1.19,
        pricing="unknown",
        traced=False,
        label="seed article, unverified; 'A100' not specified: $1.19 equals RunPod's A100 80GB PCIe spot price, so filed under a100-80gb-pcie",
        source=SEED_SRC,
    ),
    _price(
        "seed-l40s",
        "seed article",
        "l40s",
        0.79,
        pricing="unknown",
        traced=False,
        label="seed article, unverified; provider not stated",
        source=SEED_SRC,
    ),
    _price(
        "seed-l4",
        "seed article",
        "l4",
        0.44,
        pricing="unknown",
        traced=False,
        label="seed article, unverified; provider not stated",
        source=SEED_SRC,
    ),
    _price(
        "seed-lambda-a10",
        "Lambda (seed article)",
        "a10",
        0.86,
        pricing="unknown",
        traced=False,
        label="seed article, unverified; the Lambda snapshot lists A10 at $0.75/h, not $0.86",
        source=SEED_SRC,
    ),
    _price(
        "seed-coreweave-8xh100",
        "CoreWeave (seed article)",
        "h100-sxm-80gb",
        6.155,
        pricing="unknown",
        n=8,
        traced=False,
        label="seed article, unverified; 8x H100 at $49.24/h; form factor not stated (filed under H100 SXM)",
        source=SEED_SRC,
    ),
]

