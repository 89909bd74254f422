"""How memory and money read wherever a person sees them (GUI, CLI text, PDF, charts).

Memory: one convention, the GPU vendors' nameplate unit. An "RTX 4090 24 GB" holds 24 x 2^30
bytes (nvidia-smi: 24,564 MiB), so "GB" in text a person reads means 2^30 bytes (a GiB), and
the card reads "24 GB" on the hardware page, in the results and in the PDF alike. The
estimator computes in decimal GB (1e9 bytes, `GB` below) and JSON keeps its
explicit `_gb` / `_gib` names; only display converts, here, and the conversion is stated once
(`MEMORY_NOTE`, in the plan's assumptions).

Money: one display currency. Catalog prices are US dollars; `Money` converts at the rate
the user typed in Settings and says so once (`Money.note()`), with the rate and its date.

    mem(gb)            decimal GB (estimator, plan)  -> '18.2 GB'
    mem_gib(gib)       GiB (detection)               -> '23.5 GB'
    nameplate(x)       the catalog's card size       -> '24 GB'
    Money.from_settings(settings)(usd)               -> '€1,840' / '$0.07'

Qt-free; the advice engineer's reason texts may call `mem` for the same figures.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ftwizard.base.settings import Settings

GB = 1e9  # decimal gigabyte: every figure the estimator prints is in these
GIB = 2**30  # binary gibibyte: what GPU vendors' "GB" memory labels really count

MEM_UNIT = "GB"
# Decimal GB in one nameplate GB (GiB): 1.073741824.
GB_PER_GIB = GIB / GB
MEMORY_NOTE = (
    "Memory is given in GB as GPU vendors label it: 1 GB = 2^30 bytes (1 GiB, 1,024 MiB in "
    "nvidia-smi), so a '24 GB' card holds 24 GB here. The estimator works in decimal GB "
    "(1e9 bytes); its figures are divided by 1.074 for display. 'Usable' is what a program "
    "can allocate (ECC reserves 1/16 on data-centre GDDR cards); 'free' is what a shared card "
    "had free at detection, and the plan is sized against free memory where that is given."
)


def gib_from_gb(gb: float) -> float:
    """Decimal GB (1e9 bytes) -> nameplate GB (2^30 bytes)."""
    return gb / GB_PER_GIB


def number(x: float, digits: int = 1) -> str:
    """'24', '23.5', '0.4': at most `digits` decimals, no trailing zeros."""
    text = f"{x:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def mem_gib(gib: float | None, digits: int = 1, *, dash: str = "—") -> str:
    """A figure already in GiB (hardware detection) as '23.5 GB'."""
    return dash if gib is None else f"{number(gib, digits)} {MEM_UNIT}"


def mem(gb: float | None, digits: int = 1, *, dash: str = "—") -> str:
    """A decimal-GB figure (estimator, plan JSON) as nameplate GB: 19.5e9 bytes -> '18.2 GB'."""
    return dash if gb is None else mem_gib(gib_from_gb(gb), digits)


def mem_value(gb: float | None, digits: int = 1) -> str:
    """The number alone, with fixed decimals so a column lines up (table cells whose header
    names the unit): 38.0, 27.7."""
    return "—" if gb is None else f"{gib_from_gb(gb):,.{digits}f}"


def nameplate(memory_gb: float | None) -> str:
    """The catalog's card size, which is the nameplate figure already: 24 -> '24 GB'."""
    return "" if not memory_gb else f"{memory_gb:g} {MEM_UNIT}"


def mem_of(peak_gb: float, room_gb: float | None, *, free: bool = False) -> str:
    """'18.2 of 24 GB usable' / '18.2 of 21.9 GB free': peak against what the plan sized for."""
    if room_gb is None:
        return mem(peak_gb)
    kind = "free" if free else "usable"
    return f"{mem_value(peak_gb)} of {mem(room_gb)} {kind}"


# -- money -------------------------------------------------------------------------------

# '$0.27', '$1,234.50', '$2.5k' in running text (a '$' followed by a number).
_DOLLARS = re.compile(r"\$(?P<num>\d[\d,]*(?:\.\d+)?)(?P<k>[kKM]?)(?![\w])")
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
NO_CENTS = frozenset({"JPY", "KRW", "ISK"})
CURRENCY_NAMES = {"USD": "US dollars", "EUR": "euros", "GBP": "pounds sterling", "CHF": "Swiss francs",
                  "JPY": "yen"}


@dataclass(frozen=True)
class Money:
    """Formats US-dollar amounts in one display currency: amount_usd x rate."""

    code: str = "USD"
    rate: float = 1.0  # units of `code` per US dollar
    as_of: str | None = None  # when the rate was set (ISO date), else when it was used
    as_of_is_use: bool = False  # True: Settings keep no date for the rate; as_of is the day of use

    @classmethod
    def from_settings(cls, settings: object | None, today: dt.date | None = None) -> Money:
        """The Settings' currency and rate; the rate's date is the Settings' own where it keeps
        one, else the day it was used for this output."""
        if settings is None:
            return cls()
        code = getattr(settings, "currency", "USD") or "USD"
        rate = float(getattr(settings, "usd_to_currency_rate", 1.0) or 1.0)
        if code == "USD":
            return cls()
        as_of = getattr(settings, "usd_to_currency_rate_as_of", None)
        if as_of:
            return cls(code=code, rate=rate, as_of=str(as_of))
        return cls(code=code, rate=rate, as_of=(today or dt.date.today()).isoformat(), as_of_is_use=True)

    def amount(self, usd: float) -> float:
        return usd * self.rate

    def to_usd(self, amount: float) -> float:
        return amount / self.rate

    def __call__(self, usd: float | None, *, dash: str = "—", cents: bool | None = None) -> str:
        """'$0.84', '€12.50', '€1,234', '1,234 SEK': cents only under 100 unless `cents` says."""
        if usd is None:
            return dash
        value = self.amount(usd)
        keep = (abs(value) < 100) if cents is None else cents
        digits = 2 if keep and self.code not in NO_CENTS else 0
        text = f"{value:,.{digits}f}"
        symbol = SYMBOLS.get(self.code)
        if symbol:
            return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
        return f"{text} {self.code}"

    def in_text(self, text: str) -> str:
        """A sentence from the ranker quotes US dollars ('costs about $0.27 of electricity'):
        the same sentence with each '$amount' in the display currency. Unchanged in USD."""
        if self.code == "USD" and self.rate == 1.0:
            return text

        def convert(m: re.Match[str]) -> str:
            usd = float(m["num"].replace(",", "")) * {"": 1, "k": 1e3, "K": 1e3, "M": 1e6}[m["k"]]
            return self(usd)

        return _DOLLARS.sub(convert, text)

    @property
    def name(self) -> str:
        return CURRENCY_NAMES.get(self.code, self.code)

    def note(self) -> str:
        """The sentence in the assumptions that says what the money figures are."""
        if self.code == "USD" and self.rate == 1.0:
            return "Money is in US dollars, the currency of the catalog's prices."
        when = ""
        if self.as_of:
            when = (f", as used on {self.as_of} (Settings do not record when the rate was entered: "
                    "check it is current)") if self.as_of_is_use else f", as of {self.as_of}"
        return (f"Money is in {self.name} ({self.code}): the catalog's US-dollar prices converted at "
                f"{self.rate:g} {self.code} per USD, the rate set in Settings{when}.")


def parse_money(text: str, money: Money, *, optional: bool = False, positive: bool = False) -> float | None:
    """An amount typed in the display currency ('€450', '1,200', '2.5k EUR') -> US dollars, as
    the answers keep it. Blank -> None when optional; 0 refused when `positive` (a training
    budget of 0 leaves nothing to rank)."""
    cleaned = text.strip().removesuffix(money.code).strip()
    for symbol in ("$", "€", "£", "¥"):
        cleaned = cleaned.lstrip(symbol)
    try:
        value = parse_amount(cleaned, optional=optional)
    except ValueError as exc:
        raise ValueError(str(exc).replace("US dollars", money.name)) from None
    if value is None:
        return None
    if positive and value <= 0:
        raise ValueError("a budget of 0 leaves nothing to rank: enter what you can spend")
    return round(money.to_usd(value), 6)


def gpu_memory_text(total_gib: float | None, free_gib: float | None = None, *, unified: bool = False) -> str:
    """A detected card's memory: '24 GB, 23.5 GB free' (detection reports GiB)."""
    parts = []
    if total_gib is not None:
        parts.append(mem_gib(total_gib) + (" unified" if unified else ""))
    if free_gib is not None:
        parts.append(f"{mem_gib(free_gib)} free")
    return ", ".join(parts)


def gpu_label(gpu: object) -> str:
    """A detected GPU as a person reads it: 'NVIDIA GeForce RTX 4090 (24 GB, 23.5 GB free)'
    (GpuInfo.label() keeps GiB for logs and JSON-minded tools)."""
    name = getattr(gpu, "name", "GPU")
    profile = getattr(gpu, "mig_profile", None)
    if getattr(gpu, "is_mig_slice", False) and profile and profile not in name:
        name = f"{name} MIG {profile}"
    memory = gpu_memory_text(getattr(gpu, "memory_total_gib", None), getattr(gpu, "memory_free_gib", None),
                             unified=bool(getattr(gpu, "unified_memory", False)))
    return f"{name} ({memory})" if memory else name


def profile_summary(profile: object) -> str:
    """A hardware profile's one sentence with memory in the vendors' GB: '1 x NVIDIA GeForce
    RTX 4090 (24 GB, 23.5 GB free).' (HardwareProfile.summary prints GiB, for JSON and logs)."""
    gpus = profile.usable_gpus()
    if not gpus:
        return profile.summary.replace(" GiB RAM", " GB RAM")
    groups: dict[str, int] = {}
    for g in gpus:
        label = gpu_label(g)
        groups[label] = groups.get(label, 0) + 1
    text = "; ".join(f"{n} x {label}" for label, n in groups.items())
    busy = sum(1 for g in gpus if g.busy)
    if busy:
        text += f"; {busy} in use by other processes"
    return text + "."


def settings_money() -> Money:
    """The display currency of the user's Settings file (USD where there is none or it is
    broken): the PDF, the CLI text and the window all read money the same way."""
    from ftwizard.base.errors import FtwizardError

    try:
        from ftwizard.base.jsonio import read_json
        from ftwizard.base.paths import config_dir

        data = read_json(config_dir() / "settings.json")
        return Money.from_settings(Settings.model_validate(data))
    except (FtwizardError, ImportError, ValueError):
        return Money()


_AMOUNT = re.compile(r"^(?P<num>\d+(?:\.\d*)?|\.\d+)\s*(?P<k>[kKmM]?)$")


def parse_amount(text: str, *, optional: bool = False) -> float | None:
    """A money amount in USD: '500', '1,200', '$2.5k', '1 000'. Blank -> None if optional."""
    cleaned = text.strip().replace(",", "").replace(" ", "").replace("\u00a0", "").lstrip("$")
    if not cleaned:
        if optional:
            return None
        raise ValueError("enter an amount in US dollars, e.g. 500")
    if cleaned.startswith("-"):
        raise ValueError("an amount cannot be negative")
    m = _AMOUNT.match(cleaned)
    if not m:
        raise ValueError(f"'{text.strip()}' is not an amount; write digits, e.g. 500 or 2.5k")
    scale = {"": 1, "k": 1e3, "m": 1e6}[m["k"].lower()]
    value = float(m["num"]) * scale
    if value > 1e9:
        raise ValueError("that amount is over a billion dollars; check the digits")
    return value


def parse_count(text: str, *, minimum: int = 0, maximum: int = 10**10, what: str = "a number") -> int:
    """A whole number such as '12,000' or '12k'; ValueError says what is wrong."""
    cleaned = text.strip().replace(",", "").replace(" ", "").replace("_", "")
    if not cleaned:
        raise ValueError(f"enter {what}")
    m = _AMOUNT.match(cleaned)
    if not m:
        raise ValueError(f"'{text.strip()}' is not a whole number")
    value = float(m["num"]) * {"": 1, "k": 1e3, "m": 1e6}[m["k"].lower()]
    if value != int(value):
        raise ValueError(f"'{text.strip()}' is not a whole number")
    if not minimum <= value <= maximum:
        raise ValueError(f"enter {what} between {minimum:,} and {maximum:,}")
    return int(value)


def format_money(usd: float | None, settings: Settings | None = None) -> str:
    """A USD amount in the display currency: amount_usd x usd_to_currency_rate."""
    if usd is None:
        return "—"
    s = settings or Settings()
    value = usd * s.usd_to_currency_rate
    code = s.currency
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF "}.get(code)
    digits = 0 if abs(value) >= 100 or code == "JPY" else 2
    text = f"{value:,.{digits}f}"
    return f"{symbol}{text}" if symbol else f"{text} {code}"
