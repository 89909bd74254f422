"""Which linear layers LoRA adapts, by role (q, k, v, o, gate, up, down, head): the module
names users write (PEFT target_modules, LitGPT flags), the layers some families fuse, and
LoRA's trainable parameter count over them (shapes from arch.py).
"""

from __future__ import annotations

from functools import lru_cache

from ftwizard.base.errors import EstimateError
from ftwizard.catalog.entries import Architecture
from ftwizard.estimate.arch import ATTENTION_ROLES, MLP_ROLES, UNGATED_TYPES, Shapes, shapes

ROLES = ("q", "k", "v", "o", "gate", "up", "down", "head")
# Families whose checkpoints fuse q, k and v (and Phi-3 also gate and up) into one linear
# layer: LoRA adapts the fused layer with one A and one B, r x (in + sum of outs).
FUSED_QKV_TYPES = frozenset({"phi3", "falcon", "gpt_neox", "bloom", "gpt2", "qwen", "gpt_bigcode"})
FUSED_GATE_UP_TYPES = frozenset({"phi3"})

# Module names users write (PEFT target_modules, LitGPT flags) -> the roles they cover.
TARGET_ALIASES: dict[str, tuple[str, ...]] = {
    "q_proj": ("q",), "q": ("q",), "query": ("q",), "wq": ("q",),
    "k_proj": ("k",), "k": ("k",), "key": ("k",), "wk": ("k",),
    "v_proj": ("v",), "v": ("v",), "value": ("v",), "wv": ("v",),
    "o_proj": ("o",), "out_proj": ("o",), "o": ("o",), "wo": ("o",), "proj": ("o",),
    "dense": ("o",),
    "qkv_proj": ("q", "k", "v"), "query_key_value": ("q", "k", "v"), "c_attn": ("q", "k", "v"),
    "qkv": ("q", "k", "v"), "wqkv": ("q", "k", "v"), "attn": ("q", "k", "v"),
    "gate_proj": ("gate",), "w1": ("gate",),
    "up_proj": ("up",), "w3": ("up",), "fc1": ("up",), "dense_h_to_4h": ("up",), "c_fc": ("up",),
    "down_proj": ("down",), "w2": ("down",), "fc2": ("down",), "dense_4h_to_h": ("down",),
    "gate_up_proj": ("gate", "up"),
    "mlp": ("gate", "up", "down"),
    "lm_head": ("head",), "head": ("head",), "output": ("head",),
    # GPT-2 and Qwen (v1) reuse c_proj for both the attention output and the MLP output.
    "c_proj": ("o", "down"),
}


@lru_cache(maxsize=4096)
def target_roles(arch: Architecture, targets: str) -> frozenset[str]:
    """'all-linear' (PEFT: every linear but the LM head), 'attention', module names, or a
    comma-separated mix ('all-linear,lm_head')."""
    gated = arch.model_type not in UNGATED_TYPES
    every = {"q", "k", "v", "o", "up", "down"} | ({"gate"} if gated else set())
    roles: set[str] = set()
    for raw in targets.strip().lower().replace(" ", "").split(","):
        if not raw:
            continue
        if raw in ("all-linear", "all_linear", "all"):
            roles.update(every)
            continue
        if raw in ("attention", "attn-only"):
            roles.update(ATTENTION_ROLES)
            continue
        name = raw if raw in TARGET_ALIASES else raw.rsplit(".", 1)[-1]
        if name not in TARGET_ALIASES:
            known = ", ".join(sorted(TARGET_ALIASES))
            raise EstimateError(
                f"lora_targets: unknown module '{raw}'; use all-linear, attention or names from: {known}"
            )
        if arch.model_type == "qwen" and name == "w2":
            roles.add("up")  # Qwen (v1): w1 and w2 are the two input matrices, c_proj the output
            continue
        roles.update(TARGET_ALIASES[name])
    if not gated:
        roles.discard("gate")
    if not roles:
        raise EstimateError("lora_targets: empty; use all-linear, attention or module names")
    return frozenset(roles)


def adapted_layers(s: Shapes, roles: frozenset[str]) -> list[tuple[int, int, int]]:
    """(in, out, copies held per block) of each linear layer LoRA adapts in one block.

    Fused layers (qkv_proj, gate_up_proj) are one layer: naming any part adapts all of it."""
    t = s.arch.model_type
    groups: list[tuple[str, ...]] = []
    rest = set(roles) - {"head"}
    if t in FUSED_QKV_TYPES and rest & {"q", "k", "v"}:
        groups.append(("q", "k", "v"))
        rest -= {"q", "k", "v"}
    if t in FUSED_GATE_UP_TYPES and rest & {"gate", "up"}:
        groups.append(("gate", "up"))
        rest -= {"gate", "up"}
    groups.extend((r,) for r in ROLES if r in rest)
    out = []
    for g in groups:
        n_in = s.linears[g[0]][0]
        n_out = sum(s.linears[r][1] for r in g)
        out.append((n_in, n_out, s.experts if g[0] in MLP_ROLES else 1))
    return out


def lora_param_count(arch: Architecture, r: int, targets: str) -> int:
    """Trainable LoRA parameters: r x (in + out) per adapted matrix (Hu et al. 2021, §4.1),
    for every block (and every expert copy of MLP matrices), plus the LM head if targeted."""
    if r <= 0:
        raise EstimateError(f"lora_r: must be positive, got {r}")
    s = shapes(arch)
    roles = target_roles(arch, targets)
    per_block = 0
    for n_in, n_out, copies in adapted_layers(s, roles):
        per_block += r * (n_in + n_out) * copies
    total = s.layers * per_block
    if "head" in roles:
        total += r * (arch.hidden_size + arch.vocab_size)
    return total
