"""What the wizard keeps between sessions and the small rules its pages check.

Qt-free on purpose: every rule a page shows (a language code, an amount, a count) is a
plain function here, testable without a QApplication. The persisted format is the autosave
(answers + where the user was); the settings are ftwizard.base.settings, amounts and counts
ftwizard.base.units, language names ftwizard.catalog.languages.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ftwizard.recommend.answers import Answers

# The wizard's pages in order (gui.wizard.PAGE_ORDER); stable: the autosave stores them.
PageId = Literal[
    "welcome", "task", "languages", "budget", "data", "compliance", "hardware", "results"
]


class Autosave(BaseModel):
    """answers autosaved after each page; `clean_exit` false at start-up means a crash."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    schema_version: Literal[1] = 1
    saved_at: dt.datetime = Field(description="Local time of the last save.")
    page: PageId = Field(description="The page the user was on.")
    clean_exit: bool = Field(default=False, description="Set when the program closed normally.")
    answers: Answers


def section_errors(model: type[BaseModel], data: dict) -> dict[str, str]:
    """Validate one Answers section; field name -> the first reason, for inline messages."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        out: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            field = str(err["loc"][0]) if err["loc"] else ""
            out.setdefault(field, err["msg"].removeprefix("Value error, "))
        return out
    return {}

