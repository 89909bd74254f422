"""The environment every process this program starts runs with: offline, no telemetry.

One place for the variables the training stack reads, so no launch site forgets one:

- huggingface_hub (and so transformers, peft, accelerate and the `kernels` package, through
  which bitsandbytes' CPU and MPS backends ask the Hub for a compiled kernel while
  `import bitsandbytes` runs): HF_HUB_OFFLINE, HF_HUB_DISABLE_TELEMETRY,
  HF_HUB_DISABLE_UPDATE_CHECK, HF_HUB_DISABLE_IMPLICIT_TOKEN (never send a stored token);
- transformers: TRANSFORMERS_OFFLINE, and USE_HUB_KERNELS=NO (its Hub-kernel integration);
- datasets: HF_DATASETS_OFFLINE;
- the cross-tool opt-outs huggingface_hub also honours: DO_NOT_TRACK, DISABLE_TELEMETRY;
- experiment trackers a library may start on its own: WANDB_MODE=disabled.

Stdlib only: the runner imports this before any Hugging Face module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

OFFLINE_ENV: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "USE_HUB_KERNELS": "NO",
    "DO_NOT_TRACK": "1",
    "DISABLE_TELEMETRY": "1",
    "WANDB_MODE": "disabled",
}


def child_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment for a child process: `base` (default: this process's), then `extra`,
    then the offline variables, which nothing overrides."""
    env = dict(os.environ if base is None else base)
    env.update(extra)
    env.update(OFFLINE_ENV)
    return env


def go_offline() -> None:
    """Set the offline variables in this process (the runner, before it imports anything from
    Hugging Face), so they hold for it and for whatever it starts."""
    os.environ.update(OFFLINE_ENV)
