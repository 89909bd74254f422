"""The plan PDF's sections for the compliance officer: the licence obligations of the chosen
model, and the compliance checklist (where data and weights go, the dataset and its
personal-data scan, controls, sign-off)."""

from __future__ import annotations

from typing import Any

from ftwizard.catalog.entries import Licence
from ftwizard.catalog.store import Catalog
from ftwizard.recommend.plan import Plan
from ftwizard.report.document import Html
from ftwizard.report.plan_text import (
    BLANK,
    DASH,
    Sources,
    model_entry,
    yes_no,
)


def licence_obligations(h: Html, plan: Plan, catalog: Catalog, src: Sources) -> None:
    h.h2("Licence obligations")
    rec = plan.chosen
    if rec is None:
        h.p("No plan was chosen.")
        return
    model = model_entry(catalog, rec.model_id)
    ids = list(model.licences) if model else list(rec.licences)
    licences: list[Licence] = []
    for lid in ids:
        try:
            licences.append(catalog.licence(lid))
        except KeyError:
            h.p(f"Licence '{lid}' is not in the loaded catalog: read the model card before use.", "warn")
    h.p(f"{rec.model_name} ({rec.hf_repo_id}) is released under: "
        + (", ".join(lic.name for lic in licences) or ", ".join(ids) or DASH) + ".")
    for lic in licences:
        h.h3(lic.name + (f" ({lic.spdx})" if lic.spdx else ""))
        threshold = (
            f"above {lic.user_threshold_mau:,} monthly active users a separate licence is needed"
            if lic.user_threshold_mau
            else "none"
        )
        h.key_values(
            [
                ("Commercial use", "allowed" if lic.commercial_use else "NOT allowed"),
                ("User threshold", threshold),
                ("Attribution", lic.attribution or "none required beyond the licence notice"),
                ("Naming of derived models", lic.naming or "no rule"),
                ("Limits on using outputs", lic.output_use_restrictions or "none stated"),
                ("Acceptable use policy passes to your users", yes_no(lic.acceptable_use_policy)),
                ("Summary", lic.summary),
                ("Source", f"{src.cite(f'Licence {lic.name}', lic.source)}"
                 + ("" if lic.terms_read_in_full else " (terms not read in full: check the text)")),
            ]
        )
    if plan.answers.compliance.commercial_use and any(not lic.commercial_use for lic in licences):
        h.p("This model's licence does not allow the commercial use your answers describe.", "warn")


def compliance(h: Html, plan: Plan, catalog: Catalog | None = None, dataset: Any | None = None) -> None:
    """What the compliance officer checks and signs: every place the data and the weights go,
    with residency; the personal-data scan; the dataset file and its hash; licence duties; the
    model's source; then one sign-off per role."""
    h.h2("Compliance checklist", new_page=True)  # the page the officer signs, whole
    a = plan.answers
    rec = plan.chosen
    rc = plan.run_config
    residency = a.compliance.data_residency or "none stated"
    local = rec is None or rec.hardware.where == "local"
    train_at = "your own workstation" if local else f"{rec.hardware.provider} (cloud): region as booked"
    if dataset is not None:
        data_file = str(dataset.file)
    elif rc is not None:
        data_file = f"{rc.data_path} (the plan's placeholder: the run set-up names the real file)"
    else:
        data_file = DASH
    out_dir = str(rc.output_dir) if rc is not None else DASH
    rows: list[tuple[str, str, str]] = [
        ("Dataset at rest", data_file, "where it is kept today: approved storage?"),
        ("Training", train_at + ("; the data is copied there" if not local else "; nothing leaves the machine"),
         _residency_status(local, residency)),
        ("Evaluation (holdout)", "the same machine as training", _residency_status(local, residency)),
        ("Serving the tuned model",
         (f"priced on {rec.monthly_inference_gpu}" if rec is not None and rec.monthly_inference_gpu
          else "not decided"),
         "choose a host within " + residency if a.compliance.data_residency or a.compliance.regulated_data
         else "no residency asked"),
        ("Checkpoints, adapter, logs", out_dir + " on the training machine",
         "derived from the data: keep with it"),
        ("Backups", BLANK, f"must stay within {residency}" if a.compliance.data_residency else "per your policy"),
        ("Model weights (in)", f"{rec.hf_repo_id} from Hugging Face, copied in once" if rec else DASH,
         "no data goes out with them"),
    ]
    h.h3("Where data and weights go")
    h.table(["What", "Where", "Residency / check", "OK"], [(*r, "\u2610") for r in rows],
            widths=[20, 44, 28, 8], align="lllc")

    h.h3("Data and model")
    h.key_values(_data_rows(plan, dataset) + _model_rows(plan), key_width=30)
    if a.compliance.air_gapped:
        gap = ("Required. The run uses local hardware only; ftwizard opens no network connection; "
               "model weights are copied in once.") if local else (
               "Required, but the chosen plan trains in the cloud: choose a local plan.")
    else:
        gap = "Not required by the answers; ftwizard itself opens no network connection."
    adv = plan.advice
    hold = []
    if adv.holdout_examples is not None:
        hold.append(f"{adv.holdout_examples:,} examples kept aside and never trained on")
    if rc is not None:
        hold.append(f"holdout file {rc.holdout_path}" if rc.holdout_path
                    else f"{rc.holdout_fraction:.0%} of the data split off before training")
    if adv.evaluation_metrics:
        hold.append("base vs tuned model compared on: " + ", ".join(adv.evaluation_metrics))
    items = [
        ("Air gap", gap),
        ("Regulated data", "yes: keep it on approved storage" if a.compliance.regulated_data else "no"),
        ("Holdout evaluation plan", "; ".join(hold) or "not set"),
        ("Logging of dataset contents", "None. Logs hold steps, losses, learning rates, memory and timings; "
         "never dataset text or the task description."),
        ("Licence duties", _licence_duties(plan, catalog)),
    ]
    h.h3("Controls")
    h.table(["Item", "Status", "OK"], [(k, v, "\u2610") for k, v in items], widths=[22, 70, 8], align="llc")
    h.h3("Sign-off")
    h.table(["Role", "Name", "Signature", "Date"],
            [("ML lead (technical plan)", "", "", ""),
             ("Manager (budget and business case)", "", "", ""),
             ("Data-protection officer (data, residency)", "", "", "")],
            widths=[36, 24, 24, 16])


def _residency_status(local: bool, residency: str) -> str:
    if local:
        return f"on site{'' if residency == 'none stated' else ': within ' + residency}"
    return f"required: {residency}; confirm the provider's region"


def _data_rows(plan: Plan, dataset: Any | None) -> list[tuple[str, str]]:
    if dataset is None:
        return [
            ("Dataset file", "not inspected for this plan: run `ftwizard data inspect FILE --report R.json` "
             "and `ftwizard plan --dataset-report R.json`, or inspect it on the Data page"),
            ("Dataset SHA-256", BLANK),
            ("Personal-data scan", "not run"),
        ]
    pii = dataset.pii
    if pii is None:
        scan = "turned off for this inspection"
    elif pii.rows_with_any == 0:
        scan = f"no likely personal data found in {pii.scanned_rows:,} rows (pattern scan)"
    else:
        kinds = ", ".join(f"{f.kind.replace('_', ' ')} {f.rows:,} rows" for f in pii.findings if f.rows)
        first = sorted({ln for f in pii.findings for ln in f.lines})[:8]
        scan = (f"{pii.rows_with_any:,} of {pii.scanned_rows:,} rows look like they hold personal data ({kinds}); "
                f"first lines: {', '.join(str(x) for x in first)}. {pii.note}")
    return [
        ("Dataset file", f"{dataset.file} ({dataset.rows_good:,} usable rows of {dataset.rows_read:,}, "
                         f"{dataset.format} format)"),
        ("Dataset SHA-256", dataset.file_sha256 or "not computed (inspection cancelled)"),
        ("Personal-data scan", scan),
    ]


def _model_rows(plan: Plan) -> list[tuple[str, str]]:
    rec = plan.chosen
    if rec is None:
        return [("Model", DASH)]
    return [
        ("Model source", f"{rec.hf_repo_id} (Hugging Face)"
         + (f"; instruct variant {rec.instruct_repo_id}" if rec.instruct_repo_id else "")),
        ("Model revision / hash", f"{BLANK}  (each run records the SHA-256 of the model's files in its "
         "manifest.json; the run report's Run record lists them: copy them here)"),
    ]


def _licence_duties(plan: Plan, catalog: Catalog | None) -> str:
    rec = plan.chosen
    if rec is None:
        return DASH
    duties: list[str] = []
    for lid in rec.licences:
        try:
            lic = catalog.licence(lid) if catalog is not None else None
        except KeyError:
            lic = None
        if lic is None:
            duties.append(f"{lid}: read the licence")
            continue
        bits = [lic.attribution or "", lic.naming or ""]
        if lic.acceptable_use_policy:
            bits.append("acceptable use policy passes to your users")
        if lic.user_threshold_mau:
            bits.append(f"separate licence above {lic.user_threshold_mau:,} monthly active users")
        if not lic.commercial_use:
            bits.append("no commercial use")
        duties.append(f"{lic.name}: " + ("; ".join(b for b in bits if b) or "keep the licence notice"))
    return " / ".join(duties) + " (details under Licence obligations)" if duties else "none listed"
