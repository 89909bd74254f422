"""The question pages: Task, Languages, Budget, Compliance. Answers in, Answers out."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit

from ftwizard.base.units import Money, parse_money
from ftwizard.catalog.entries import TASK_KINDS
from ftwizard.catalog.languages import language_coverage, language_summary, parse_language_list
from ftwizard.gui.forms import QuestionPage
from ftwizard.recommend.answers import Budget, Compliance, Task
from ftwizard.recommend.wizard_state import section_errors

TASK_LABELS = {
    "chat": "Chat assistant",
    "instruction": "Follow instructions",
    "classification": "Classify text",
    "extraction": "Extract fields from documents",
    "summarization": "Summarise",
    "qa": "Answer questions",
    "code": "Write or review code",
    "translation": "Translate",
    "reasoning": "Multi-step reasoning",
}
DESCRIPTION_MAX = Task.model_fields["description"].metadata[0].max_length


class TaskPage(QuestionPage):
    page_id = "task"

    def __init__(self) -> None:
        super().__init__("What should the model do?", "The task decides which models are strong "
                         "candidates and whether fine-tuning is the right tool at all.")
        self.project = self.add_row(
            "Pro&ject name:", QLineEdit(), "Optional. Shown on the exported plan and run folders.",
            "project_name", "Project name")
        self.project.setPlaceholderText("e.g. Claims triage assistant")
        self.kind = QComboBox()
        for kind in TASK_KINDS:
            self.kind.addItem(TASK_LABELS.get(kind, kind), kind)
        self.add_row("Task &kind:", self.kind,
                     "Models are ranked by their published strength on this kind of task; "
                     "classification and extraction often need far fewer examples than chat.",
                     "kind", "Task kind")
        self.domain = self.add_row(
            "&Domain:", QLineEdit(),
            "The field the model works in (support, legal, radiology). Specialised domains "
            "benefit most from tuning.", "domain", "Domain")
        self.domain.setPlaceholderText("e.g. insurance claims")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.description.setPlaceholderText("What goes in, what should come out, who reads it.")
        self.description.setMaximumHeight(110)
        self.add_row("Descri&ption:", self.description,
                     "Free text for your colleagues and the exported plan. It stays on this "
                     "computer and is never written to logs.", "description", "Task description")
        self.volatile = QCheckBox("The facts the model needs change &often (prices, policies, stock)")
        self.add_row("", self.volatile,
                     "Fine-tuning teaches style and format, not fresh facts: if facts change "
                     "weekly, retrieval (RAG) is advised first.", "knowledge_changes_often",
                     "Facts change often")
        for signal in (self.project.textChanged, self.domain.textChanged,
                       self.description.textChanged, self.kind.currentIndexChanged):
            signal.connect(self.refresh)

    def load(self, answers) -> None:
        self.project.setText(answers.project_name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(answers.task.kind)))
        self.domain.setText(answers.task.domain)
        self.description.setPlainText(answers.task.description)
        self.volatile.setChecked(answers.knowledge_changes_often)

    def _task(self) -> dict:
        return {"kind": self.kind.currentData(), "domain": self.domain.text().strip(),
                "description": self.description.toPlainText().strip()}

    def problems(self) -> dict[str, str]:
        out = section_errors(Task, self._task())
        if "description" in out:
            n = len(self.description.toPlainText().strip())
            out["description"] = f"{n:,} characters; the description holds at most {DESCRIPTION_MAX:,}"
        if len(self.project.text()) > 200:
            out["project_name"] = "at most 200 characters"
        return out

    def apply(self, answers):
        return answers.model_copy(update={
            "project_name": self.project.text().strip(),
            "task": Task(**self._task()),
            "knowledge_changes_often": self.volatile.isChecked(),
        })


class LanguagesPage(QuestionPage):
    page_id = "languages"

    def __init__(self, catalog=None) -> None:
        super().__init__("Which languages?", "Only models whose makers state support for every "
                         "language you need are ranked.")
        self.catalog = catalog
        self.codes = self.add_row(
            "&Languages:", QLineEdit(),
            "ISO 639-1 codes or names, in English or in the language itself, separated by "
            "commas: en, Deutsch, French. A model "
            "that was not trained on a language rarely learns it from a fine-tune.",
            "languages", "Languages the model must handle")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Languages understood and catalog coverage")
        self.form.addRow("", self.summary)
        self.codes.textChanged.connect(self.refresh)

    def set_catalog(self, catalog) -> None:
        self.catalog = catalog
        self.refresh()

    def load(self, answers) -> None:
        self.codes.setText(", ".join(answers.languages))

    def problems(self) -> dict[str, str]:
        try:
            codes = parse_language_list(self.codes.text())
        except ValueError as exc:
            self.summary.setText("")
            return {"languages": str(exc)}
        text = language_summary(codes)
        if self.catalog is not None:
            listed, unlisted = language_coverage(self.catalog, codes)
            text += (
                f"\n{len(listed)} of {len(self.catalog.models)} catalog models list "
                f"{'all of these' if len(codes) > 1 else 'this language'}; {len(unlisted)} list no "
                "languages and are ranked with a warning to test them on your data."
            )
        self.summary.setText(text)
        return {}

    def apply(self, answers):
        return answers.model_copy(update={"languages": parse_language_list(self.codes.text())})


class BudgetPage(QuestionPage):
    page_id = "budget"

    def __init__(self) -> None:
        super().__init__("What can you spend?", "Amounts in your display currency (Settings); the "
                         "catalog's US-dollar prices are converted at the rate set there. Leave the "
                         "monthly budget empty for no limit.")
        self.training = self.add_row(
            "&Training budget (USD):", QLineEdit(),
            "The most you will spend on training runs (cloud GPU hours, or electricity on "
            "your own card). Options that cost more are left out; the Excluded list says by how much.",
            "training_usd", "Training budget in the display currency")
        self.training.setPlaceholderText("e.g. 500")
        self.monthly = self.add_row(
            "&Monthly inference (USD):", QLineEdit(),
            "The most you will spend a month to serve the tuned model. Large models often cost "
            "more to serve each month than to train once: options above it score lower and say so.",
            "monthly_inference_usd", "Monthly inference budget in the display currency")
        self.monthly.setPlaceholderText("no limit")
        self.training.textChanged.connect(self.refresh)
        self.monthly.textChanged.connect(self.refresh)
        self._shown_in = Money()

    def money(self) -> Money:
        wizard = self.wizard()
        return Money.from_settings(getattr(wizard, "settings", None))

    def _relabel(self, money: Money) -> None:
        for edit, text in ((self.training, "&Training budget"), (self.monthly, "&Monthly inference")):
            label = self.form.labelForField(edit.parentWidget())
            if label is not None:
                label.setText(f"{text} ({money.code}):")

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        """The currency may have changed in Settings since the page was filled."""
        wizard = self.wizard()
        if self.money() != self._shown_in and getattr(wizard, "answers", None) is not None:
            self.set_answers(wizard.answers)

    def load(self, answers) -> None:
        money = self.money()
        self._shown_in = money
        self._relabel(money)
        self.training.setText(_amount_text(answers.budget.training_usd, money))
        self.monthly.setText(_amount_text(answers.budget.monthly_inference_usd, money))

    def _values(self) -> tuple[dict, dict[str, str]]:
        values: dict = {}
        errors: dict[str, str] = {}
        for key, edit, optional in (("training_usd", self.training, False),
                                    ("monthly_inference_usd", self.monthly, True)):
            try:
                values[key] = parse_money(edit.text(), self._shown_in, optional=optional,
                                          positive=key == "training_usd")
            except ValueError as exc:
                errors[key] = str(exc)
        return values, errors

    def problems(self) -> dict[str, str]:
        values, errors = self._values()
        return errors or section_errors(Budget, values)

    def apply(self, answers):
        values, _ = self._values()
        return answers.model_copy(update={"budget": Budget(**values)})


def _amount_text(value_usd: float | None, money: Money) -> str:
    if value_usd is None:
        return ""
    value = round(money.amount(value_usd), 6)  # no float noise from the rate
    return f"{value:g}" if value != int(value) else str(int(value))


class CompliancePage(QuestionPage):
    page_id = "compliance"

    def __init__(self) -> None:
        super().__init__("Rules you work under", "Licences and data rules remove models and "
                         "places to train before anything is ranked; removed models are listed "
                         "with the reason.")
        self.commercial = self.add_row(
            "", QCheckBox("The tuned model will be used co&mmercially"),
            "Removes models whose licence forbids commercial use and flags user thresholds "
            "and attribution duties.", "commercial_use", "Commercial use")
        self.regulated = self.add_row(
            "", QCheckBox("Training data is &regulated (health, finance, personal data)"),
            "Regulated data stays on your own hardware or with cloud offers whose region lies "
            "inside the data residency below; the plan says what your compliance officer must check.",
            "regulated_data", "Regulated data")
        self.air_gapped = self.add_row(
            "", QCheckBox("Training must run &air-gapped, on our own hardware"),
            "Only local GPUs are considered; cloud prices are not used.", "air_gapped",
            "Air-gapped")
        self.open_data = self.add_row(
            "", QCheckBox("Only models with &published training data"),
            "Keeps models whose training data is public, for audits that require it. Few "
            "models qualify.", "open_training_data_required", "Open training data required")
        self.residency = self.add_row(
            "Data res&idency:", QLineEdit(),
            "Optional: where data must stay, e.g. EU. Shown beside each cloud option.",
            "data_residency", "Data residency")
        self.residency.setPlaceholderText("e.g. EU (optional)")
        for box in (self.commercial, self.regulated, self.air_gapped, self.open_data):
            box.toggled.connect(self.refresh)
        self.residency.textChanged.connect(self.refresh)

    def load(self, answers) -> None:
        c = answers.compliance
        self.commercial.setChecked(c.commercial_use)
        self.regulated.setChecked(c.regulated_data)
        self.air_gapped.setChecked(c.air_gapped)
        self.open_data.setChecked(c.open_training_data_required)
        self.residency.setText(c.data_residency or "")

    def _values(self) -> dict:
        return {
            "commercial_use": self.commercial.isChecked(),
            "regulated_data": self.regulated.isChecked(),
            "air_gapped": self.air_gapped.isChecked(),
            "open_training_data_required": self.open_data.isChecked(),
            "data_residency": self.residency.text().strip() or None,
        }

    def problems(self) -> dict[str, str]:
        return section_errors(Compliance, self._values())

    def apply(self, answers):
        return answers.model_copy(update={"compliance": Compliance(**self._values())})
