"""The Settings file: the user's tariff, display currency and its rate, runs folder and
training runtime. Kept in the config folder (ftwizard.base.paths.config_dir()); the Settings
dialog edits it, the CLI and the PDF read it (ftwizard.base.units.settings_money).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# One source of truth for the default tariff, used by the estimator's request too: 0.30 USD/kWh
# is a round figure near EU household prices (Eurostat 2024 H2 EU average ~0.29 EUR/kWh).
DEFAULT_ELECTRICITY_USD_PER_KWH: float = 0.30


class Settings(BaseModel):
    """The Settings dialog; kept in the config folder."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    schema_version: Literal[1] = 1
    electricity_usd_per_kwh: float = Field(
        default=DEFAULT_ELECTRICITY_USD_PER_KWH,
        ge=0,
        le=10,
        description="Local training cost = board power x hours x this tariff.",
    )
    currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code costs are shown in; the catalog's prices are USD.",
    )
    usd_to_currency_rate: float = Field(
        default=1.0,
        gt=0,
        le=100_000,
        description="Units of `currency` per US dollar, typed by the user (no network).",
    )
    usd_to_currency_rate_as_of: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="The day the currency or rate was last set (ISO date); the plan's assumptions quote it.",
    )
    runs_dir: str | None = Field(default=None, description="Training run folders; None: the default.")
    train_python: str | None = Field(
        default=None, max_length=4096,
        description="Interpreter or environment folder that trains (ftwizard.runtime); None: the first "
        "ready one found.",
    )
    window_geometry_b64: str | None = Field(
        default=None, max_length=10_000, description="Qt window geometry, base64."
    )
