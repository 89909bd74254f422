"""Which GPUs a plan may use: the listed or detected local cards, or the priced cloud GPUs
the compliance answers allow (issue 20).

- An air-gapped site means own hardware only: cloud options are never offered.
- Regulated data means own hardware, or cloud offers whose every region lies inside the
  stated `data_residency` (an offer in "de" satisfies "EU"; an offer in "eu" does not satisfy
  "DE", because the bloc does not say which country). An offer whose regions the catalog does
  not record is refused, and the plan says so. Regulated data without a residency: own
  hardware only, with a note asking for one.
- A residency stated without regulated data is honoured the same way (it says where data
  must stay).
`policy_catalog` is the catalog with only the allowed offers, so training cost, the cloud
sweep and the serving cost all price where the data may go.

A listed GPU the catalog does not know is accepted when its memory is given: matched by
family (a "Laptop GPU" or "Max-Q" name to the same-named desktop card, memory from the
answer, speed as the desktop card's upper bound) or taken as given (memory only, speed
unknown, so time and cost are "not checked"). `local` with no GPUs means CPU only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ftwizard.base.errors import AnswersError, CatalogError, HardwareError
from ftwizard.catalog.entries import GpuEntry, PriceEntry
from ftwizard.catalog.store import Catalog
from ftwizard.hardware.profile import HardwareProfile
from ftwizard.recommend.answers import Answers

GIB_TO_GB = 2**30 / 1e9


@dataclass(frozen=True)
class GpuOption:
    """One kind of GPU a run may use."""

    where: str  # "local" or "cloud"
    gpu: GpuEntry
    available: int | None  # local: how many cards; cloud: None (rent as many as needed)
    free_gb: float | None = None  # local detected: least free memory among the cards, decimal GB

    @property
    def max_count(self) -> int:
        return self.available if self.available is not None else 64

    def label(self, count: int = 1) -> str:
        return f"{count} x {self.gpu.name}" if count > 1 else self.gpu.name


def local_only(answers: Answers) -> bool:
    """Own hardware only: an air-gapped site. Regulated data may use cloud offers whose region
    satisfies the data residency (`allowed_prices`)."""
    return answers.compliance.air_gapped


EU_COUNTRIES = frozenset(
    "at be bg hr cy cz dk ee fi fr de gr hu ie it lv lt lu mt nl pl pt ro sk si es se".split()
)
EEA_EXTRA = frozenset({"is", "li", "no"})
# Names people type for a residency -> region codes (ISO 3166-1 alpha-2, "uk" for GB).
_REGION_WORDS: dict[str, str] = {
    "eu": "eu", "europe": "eu", "european union": "eu", "eea": "eea", "european economic area": "eea",
    "germany": "de", "deutschland": "de", "france": "fr", "spain": "es", "espana": "es", "italy": "it",
    "netherlands": "nl", "ireland": "ie", "sweden": "se", "finland": "fi", "poland": "pl", "austria": "at",
    "belgium": "be", "denmark": "dk", "portugal": "pt", "norway": "no", "switzerland": "ch",
    "uk": "uk", "gb": "uk", "united kingdom": "uk", "great britain": "uk", "england": "uk",
    "us": "us", "usa": "us", "united states": "us", "america": "us", "canada": "ca",
    "india": "in", "japan": "jp", "china": "cn", "korea": "kr", "south korea": "kr", "singapore": "sg",
    "australia": "au", "brazil": "br", "uae": "ae", "united arab emirates": "ae", "saudi arabia": "sa",
}


_FILLER = frozenset({"only", "the", "in", "within", "inside", "region", "regions", "data", "centres", "centers"})


def residency_regions(text: str | None) -> frozenset[str] | None:
    """The region codes a `data_residency` answer allows, or None when it cannot be read.

    'EU' -> the bloc and its member states; 'DE' or 'Germany' -> de; 'EU or UK' -> both.
    """
    if not text or not text.strip():
        return None
    out: set[str] = set()
    for part in re.split(r"[,;/+&]|\band\b|\bor\b", text.lower()):
        tokens = re.sub(r"[^a-z ]", " ", part).split()
        # Filler words go only beside a name: "IN" alone is India, "data in France" is France.
        word = " ".join(w for w in tokens if w not in _FILLER or len(tokens) == 1)
        if not word:
            continue
        code = _REGION_WORDS.get(word) or (word if re.fullmatch(r"[a-z]{2}", word) else None)
        if code is None:
            return None
        out.add(code)
        if code in ("eu", "eea"):
            out |= EU_COUNTRIES | {"eu"}
        if code == "eea":
            out |= EEA_EXTRA
    return frozenset(out) or None


def offer_regions(p: PriceEntry) -> list[str]:
    """The offer's regions: the catalog's list, else read from a region name such as 'us-east-1'."""
    regions = list(getattr(p, "regions", []) or [])
    if not regions and p.region:
        head = p.region.lower().split("-")[0]
        if re.fullmatch(r"[a-z]{2}", head):
            regions = [head]
    return regions


@dataclass(frozen=True)
class CloudPolicy:
    """Which cloud offers the compliance answers allow, and why the others are refused."""

    allowed: tuple[PriceEntry, ...]
    refused: tuple[tuple[PriceEntry, str], ...]
    residency: frozenset[str] | None
    restricted: bool  # regulated data or a stated residency: offers are filtered

    def notes(self, answers: Answers) -> list[str]:
        c = answers.compliance
        if not self.restricted or c.air_gapped:
            return []
        if self.residency is None:
            if c.data_residency:
                return [
                    f"The data residency '{c.data_residency}' could not be read as regions (use codes such as "
                    "EU, DE, FR, UK, US, IN, JP), so no cloud offer is allowed; only your own hardware is planned."
                ]
            return [
                "The training data is regulated and no data residency is stated, so no cloud offer is "
                "allowed; state where the data may be processed (e.g. EU) to compare compliant cloud offers."
            ]
        unknown = sum(1 for _, why in self.refused if why == "unknown")
        elsewhere = len(self.refused) - unknown
        where = answers.compliance.data_residency
        out = [
            f"Cloud offers are limited to regions inside {where}: {len(self.allowed)} of "
            f"{len(self.allowed) + len(self.refused)} priced offers qualify."
        ]
        if unknown:
            out.append(
                f"{unknown} offers are refused because the catalog does not record their region "
                "(unknown region = not allowed)."
            )
        if elsewhere:
            out.append(f"{elsewhere} offers are refused because their region lies outside {where}.")
        return out


_POLICY_CACHE: dict[tuple[int, str | None, bool], tuple[Catalog, CloudPolicy, Catalog]] = {}


def cloud_policy(answers: Answers, catalog: Catalog) -> tuple[CloudPolicy, Catalog]:
    """The policy and the catalog holding only the allowed offers (the same object when nothing
    is filtered, and the same object again for the same answers, so estimate caches hold)."""
    c = answers.compliance
    restricted = c.regulated_data or bool(c.data_residency)
    key = (id(catalog), c.data_residency, restricted)
    hit = _POLICY_CACHE.get(key)
    if hit is not None and hit[0] is catalog:
        return hit[1], hit[2]
    residency = residency_regions(c.data_residency)
    allowed: list[PriceEntry] = []
    refused: list[tuple[PriceEntry, str]] = []
    for p in catalog.prices:
        if not restricted:
            allowed.append(p)
            continue
        regions = offer_regions(p)
        if not regions:
            refused.append((p, "unknown"))
        elif residency is not None and all(r in residency for r in regions):
            allowed.append(p)
        else:
            refused.append((p, "outside"))
    policy = CloudPolicy(tuple(allowed), tuple(refused), residency, restricted)
    filtered = catalog if not refused else Catalog(
        version=catalog.version,
        as_of=catalog.as_of,
        models=catalog.models,
        gpus=catalog.gpus,
        prices=tuple(allowed),
        licences=catalog.licences,
        techniques=catalog.techniques,
        overlays=catalog.overlays,
    )
    if len(_POLICY_CACHE) > 64:
        _POLICY_CACHE.clear()
    _POLICY_CACHE[key] = (catalog, policy, filtered)
    return policy, filtered


def price_allowed_text(p: PriceEntry, answers: Answers) -> str | None:
    """What the compliance officer must check for a chosen cloud offer (None: no restriction)."""
    c = answers.compliance
    if not (c.regulated_data or c.data_residency):
        return None
    regions = ", ".join(r.upper() for r in offer_regions(p))
    certs = list(getattr(p, "certifications", []) or [])
    cert = f"; certifications recorded: {', '.join(certs)} ({p.certifications_source})" if certs else (
        "; the catalog records no certification for this offer"
    )
    return (
        f"{p.provider} offer in {regions}, inside the stated residency ({c.data_residency}){cert}. "
        "Your compliance officer must check the data-processing agreement, the exact data-centre "
        "location and sub-processors before any regulated data is uploaded."
    )


def gpu_options(
    answers: Answers, catalog: Catalog, hardware: HardwareProfile | None
) -> tuple[list[GpuOption], list[str]]:
    """The options, and notes for the user (unknown cards, busy cards, cloud refused)."""
    mode = answers.hardware.mode
    notes: list[str] = []
    if mode == "cloud":
        if local_only(answers):
            notes.append(
                "Cloud GPUs are not considered because the site is air-gapped, and the hardware mode is "
                "'cloud' with no local GPU listed: choose 'local' or 'detect' and name your GPUs."
            )
            return [], notes
        policy, allowed = cloud_policy(answers, catalog)
        notes.extend(policy.notes(answers))
        options = []
        for gpu in catalog.gpus:
            if gpu.memory_gb and allowed.prices_for(gpu.id):
                options.append(GpuOption("cloud", gpu, None))
        if not options and policy.restricted:
            notes.append(
                "No priced cloud offer satisfies the data residency, so nothing can be planned in the cloud: "
                "list your own GPUs (hardware mode 'local' or 'detect'), or add a compliant offer with its "
                "regions in a user catalog."
            )
        return options, notes
    if mode == "local":
        counts: dict[str, int] = {}
        by_id: dict[str, GpuEntry] = {}
        if not answers.hardware.gpus:
            notes.append(CPU_ONLY_NOTE)
            return [], notes
        for i, g in enumerate(answers.hardware.gpus):
            entry = catalog.find_gpu(g.name, g.memory_gb)
            if entry is None:
                entry, note = _unlisted_gpu(g.name, g.memory_gb, catalog)
                if entry is None:
                    raise AnswersError(
                        f"answers: $.hardware.gpus[{i}].name: unknown GPU '{g.name}'; give its memory_gb "
                        "(then it is planned from its memory), use a name from `ftwizard catalog list --gpus`, "
                        "or add the card in a user catalog"
                    )
                notes.append(note)
            counts[entry.id] = counts.get(entry.id, 0) + g.count
            by_id[entry.id] = entry
        return [GpuOption("local", by_id[i], n) for i, n in counts.items()], notes
    # mode == "detect"
    if hardware is None:
        raise HardwareError(
            "answers: $.hardware.mode is 'detect' but no detected hardware was given; "
            "run detection or list the GPUs with mode 'local'"
        )
    counts = {}
    free: dict[str, float | None] = {}
    unlisted: dict[str, GpuEntry] = {}
    for g in hardware.usable_gpus():
        if g.is_mig_slice:
            notes.append(f"{g.label()} is a MIG slice; slices are not planned for, use a whole GPU.")
            continue
        gpu_id = g.catalog_gpu_id
        if gpu_id is None:
            # Memory as the driver reports it (GiB, a little under the box label): taken as given.
            entry = None
            if g.memory_total_gib and not g.unified_memory and g.vendor in ("nvidia", "amd"):
                entry, note = _unlisted_gpu(g.name, round(g.memory_total_gib, 2), catalog)
            if entry is None:
                notes.append(
                    f"{g.label()} is not in the catalog, so its speed is unknown and it is not planned "
                    "for; add it in a user catalog file."
                )
                continue
            if entry.id not in unlisted:
                notes.append(note)
            unlisted[entry.id] = entry
            gpu_id = entry.id
        counts[gpu_id] = counts.get(gpu_id, 0) + 1
        free_gb = None if g.memory_free_gib is None else g.memory_free_gib * GIB_TO_GB
        if g.busy:
            notes.append(f"{g.label()} is in use by other processes; plans assume its free memory.")
            prev = free.get(gpu_id)
            free[gpu_id] = free_gb if prev is None or free_gb is None else min(prev, free_gb)
    options = []
    for gpu_id, n in counts.items():
        try:
            entry = unlisted.get(gpu_id) or catalog.gpu(gpu_id)
        except CatalogError:  # a profile saved with another catalog version
            notes.append(f"Detected GPU id '{gpu_id}' is not in this catalog; it is not planned for.")
            continue
        options.append(GpuOption("local", entry, n, free.get(gpu_id)))
    if not options:
        notes.append("No usable GPU was detected on this workstation.")
        notes.append(CPU_ONLY_NOTE)
    return options, notes


CPU_ONLY_NOTE = (
    "CPU only: no GPU is available for training here. On this machine you can prepare and check the "
    "data, try prompting and retrieval (RAG) with a small quantised model (about 1-4 B parameters runs "
    "on a CPU at a few tokens a second), and export a run for elsewhere; fine-tuning even a 1 B model on "
    "a CPU takes days. The cheapest way out is a rented GPU for the few hours a LoRA run takes (plan "
    "again with hardware mode 'cloud' to see priced offers) or a single 16-24 GB card."
)

_FAMILY_SUFFIXES = ("laptop gpu", "laptop", "max-q", "max q", "mobile", "notebook")


def _unlisted_gpu(name: str, memory_gb: float | None, catalog: Catalog) -> tuple[GpuEntry | None, str]:
    """A card the catalog does not list: by family, or from its memory alone. None without memory."""
    if memory_gb is None:
        return None, ""
    base = " ".join(name.lower().replace("_", " ").split())
    for suffix in _FAMILY_SUFFIXES:
        if base.endswith(" " + suffix):
            base = base[: -len(suffix) - 1].strip()
    family = catalog.find_gpu(base, memory_gb) if base != name.lower() else None
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "gpu"
    if family is not None:
        entry = family.model_copy(
            update={
                "id": f"user-{slug}",
                "name": name,
                "memory_gb": memory_gb,
                "match_names": [name],
                "source": f"your answers (memory); speed and power from {family.name} ({family.source})",
                "confidence": "unconfirmed",
            }
        )
        return entry, (
            f"'{name}' is not in the catalog: planned as a {family.name} with the {memory_gb:g} GB you gave; "
            "laptop and mobile parts run at lower clocks and power, so treat its times as a lower bound."
        )
    vendor = next((v for v in ("nvidia", "amd", "apple", "intel") if v in base), "nvidia")
    if "radeon" in base or "instinct" in base:
        vendor = "amd"
    entry = GpuEntry(
        id=f"user-{slug}",
        name=name,
        vendor=vendor,  # type: ignore[arg-type]
        match_names=[name],
        memory_gb=memory_gb,
        source="your answers (memory only)",
        confidence="unconfirmed",
    )
    return entry, (
        f"'{name}' is not in the catalog: planned from the {memory_gb:g} GB you gave; its speed is unknown, "
        "so training time and cost are not checked (add the card in a user catalog to get them)."
    )
