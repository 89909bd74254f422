"""Hostile and broken input, fuzzed: every file format the program reads either loads or is
refused with one error that names the file; none raises anything else. The case counts
below are what docs/reliability.md reports."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftwizard.base.errors import AnswersError, CatalogError, DatasetError, PlanError, RunConfigError
from ftwizard.catalog.store import load_catalog, validate_file
from ftwizard.recommend.answers import Answers, load_answers
from ftwizard.recommend.plan import Plan, load_plan
from ftwizard.runs.config import RunConfig, load_run_config
from trust_helpers import (
    file_bytes,
    fuzz_settings,
    hostile_file,
    json_values,
    loads_or_names_file,
    mutated,
)

ROOT = Path(__file__).resolve().parents[1]
CASES = {"answers": 300, "catalog_section": 150, "user_catalog": 200, "plan": 150, "run_config": 250}

VALID_ANSWERS = json.loads((ROOT / "examples" / "answers-support-bot.json").read_text(encoding="utf-8"))
VALID_RUN = {
    "schema_version": 1, "model_dir": "model", "data_path": "data/train.jsonl", "output_dir": "runs/one",
    "method": "qlora", "lora_r": 16, "lora_targets": ["q_proj", "v_proj"], "max_steps": 10,
    "estimate": {"peak_vram_gb": 12.5, "tokens_per_s": 900.0},
}


def shipped(section: str) -> dict:
    return json.loads((ROOT / "resources" / "catalog" / f"{section}.json").read_text(encoding="utf-8"))


def small_section(section: str) -> dict:
    """A shipped section cut to two entries, so mutations land on real fields often."""
    data = shipped(section)
    data[section] = data[section][:2]
    return data


def valid_overlay() -> dict:
    model = copy.deepcopy(shipped("models")["models"][0]) | {"id": "site-7b", "licences": ["site-licence"]}
    gpu = copy.deepcopy(shipped("gpus")["gpus"][0]) | {"id": "site-gpu"}
    price = copy.deepcopy(shipped("prices")["prices"][0]) | {"id": "site-price", "gpu_id": "site-gpu"}
    lic = {"id": "site-licence", "name": "Site licence", "commercial_use": True, "summary": "internal",
           "source": "legal memo"}
    return {"schema_version": 1, "version": "site-1", "as_of": "2027-01-15",
            "models": [model], "gpus": [gpu], "prices": [price], "licences": [lic]}


def valid_plan() -> dict:
    from report_sample_plan import sample_plan

    return sample_plan().model_dump(mode="json")


def test_the_valid_documents_are_valid(tmp_path):
    """The fuzzers start from files that load, so a refusal is the mutation's doing."""
    assert Answers.model_validate(VALID_ANSWERS)
    assert RunConfig.model_validate(VALID_RUN)
    assert Plan.model_validate(valid_plan())
    p = tmp_path / "site.json"
    p.write_text(json.dumps(valid_overlay()))
    assert load_catalog(p).model("site-7b")
    for section in ("models", "gpus", "prices", "licences", "techniques"):
        p.write_text(json.dumps(small_section(section)))
        assert validate_file(p).startswith(section)


@fuzz_settings(CASES["answers"])
@given(raw=hostile_file(VALID_ANSWERS))
def test_fuzzed_answers_load_or_name_the_file(tmp_path, raw):
    path = tmp_path / "answers.json"
    path.write_bytes(raw)
    loads_or_names_file(load_answers, path, AnswersError)


@fuzz_settings(CASES["catalog_section"])
@given(data=st.data(), section=st.sampled_from(["models", "gpus", "prices", "licences", "techniques"]))
def test_fuzzed_catalog_sections_validate_or_name_the_file(tmp_path, data, section):
    path = tmp_path / f"{section}.json"
    path.write_bytes(data.draw(hostile_file(small_section(section))))
    loads_or_names_file(validate_file, path, CatalogError)


@fuzz_settings(CASES["user_catalog"])
@given(raw=hostile_file(valid_overlay()))
def test_fuzzed_user_catalogs_overlay_or_name_the_file(tmp_path, raw):
    path = tmp_path / "usb-stick.json"
    path.write_bytes(raw)
    catalog = loads_or_names_file(load_catalog, path, CatalogError)
    if catalog is not None:  # an overlay that loads is also one `catalog validate` accepts
        loads_or_names_file(validate_file, path, CatalogError)
    assert load_catalog().version  # the shipped catalog is untouched either way


@fuzz_settings(CASES["plan"])
@given(raw=hostile_file(valid_plan()))
def test_fuzzed_plans_load_or_name_the_file(tmp_path, raw):
    path = tmp_path / "plan.json"
    path.write_bytes(raw)
    loads_or_names_file(load_plan, path, PlanError)


@fuzz_settings(CASES["run_config"])
@given(raw=hostile_file(VALID_RUN))
def test_fuzzed_run_configs_load_or_name_the_file(tmp_path, raw):
    path = tmp_path / "run.json"
    path.write_bytes(raw)
    cfg = loads_or_names_file(load_run_config, path, RunConfigError)
    if cfg is not None:  # relative paths are taken from the file's folder
        assert cfg.model_dir.is_absolute() and cfg.output_dir.is_absolute()


# --- dataset rows --------------------------------------------------------------------------

CASES["dataset"] = 250
ROWS = [
    {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"},
                  {"role": "assistant", "content": "hello"}]},
    {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]},
    {"instruction": "add", "input": "1 2", "output": "3"},
    {"prompt": "p", "completion": "c"},
    {"text": "free text"},
    {"prompt": "p", "chosen": "good", "rejected": "bad"},
]


@st.composite
def dataset_file(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["jsonl", "jsonl", "jsonl", "json", "csv", "tsv", "parquet", "txt"]))
    if kind == "jsonl":
        base = draw(st.sampled_from(ROWS))
        lines = []
        for _ in range(draw(st.integers(0, 8))):
            doc = draw(st.one_of(mutated(base), json_values))
            lines.append(draw(file_bytes(doc)).replace(b"\n", b" "))
        return "jsonl", b"\n".join(lines) + draw(st.sampled_from([b"", b"\n", b"\n\n", b"\r\n"]))
    if kind == "json":
        doc = draw(st.one_of(st.lists(st.one_of(mutated(draw(st.sampled_from(ROWS))), json_values), max_size=6),
                             json_values))
        return "json", draw(file_bytes(doc))
    if kind in ("csv", "tsv"):
        sep = "," if kind == "csv" else "\t"
        header = draw(st.sampled_from([["prompt", "completion"], ["instruction", "output"], ["text"], ["a", "b", "c"]]))
        cells = st.text(max_size=12) | st.sampled_from(['"', '""', "\n", sep, "\x00", "\ud800"])
        rows = draw(st.lists(st.lists(cells, max_size=4), max_size=6))
        text = "\n".join(sep.join(r) for r in [header, *rows])
        return kind, text.encode("utf-8", "surrogatepass")
    return kind, draw(st.binary(max_size=300))


@fuzz_settings(CASES["dataset"])
@given(file=dataset_file())
def test_fuzzed_datasets_are_inspected_or_refused_naming_the_file(tmp_path, file):
    from ftwizard.data import iter_examples
    from ftwizard.data.inspection import inspect

    suffix, raw = file
    path = tmp_path / f"train.{suffix}"
    path.write_bytes(raw)
    report = loads_or_names_file(inspect, path, DatasetError)
    rows = loads_or_names_file(lambda p: list(iter_examples(p)), path, DatasetError)
    if report is not None and rows is not None:
        assert report.rows_read == len(rows)


# --- nvidia-smi output ---------------------------------------------------------------------

CASES["nvidia_smi"] = 300
FIX = ROOT / "tests" / "fixtures" / "hardware"
CSV_FIXTURES = sorted(p.name for p in FIX.glob("nvidia-smi-*.csv") if not p.name.endswith("-apps.csv"))
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "[N/A]", "N/A", "Not Supported", "-1", "nan", "inf", "1e400", "٣", "99999999999999999999",
                     "0", "8.9", "81559", "Enabled", "Disabled", "GPU-x", '"', "\x00"]),
)


@st.composite
def smi_output(draw) -> str:
    text = (FIX / draw(st.sampled_from(CSV_FIXTURES))).read_text(encoding="utf-8")
    rows = [line.split(", ") for line in text.splitlines() if line.strip()]
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(["cell", "cell", "drop_cell", "add_cell", "junk_line"]))
        if op == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(CELLS)
        elif op == "drop_cell" and rows[r]:
            rows[r].pop(draw(st.integers(0, len(rows[r]) - 1)))
        elif op == "add_cell":
            rows[r].append(draw(CELLS))
        else:
            rows.insert(r, [draw(st.text(max_size=40))])
    out = "\n".join(", ".join(r) for r in rows)
    return draw(st.sampled_from([out, out + "\n", "", draw(st.text(max_size=200))]))


@fuzz_settings(CASES["nvidia_smi"])
@given(csv_text=smi_output(), extra=st.text(max_size=300))
def test_fuzzed_nvidia_smi_output_parses_or_gives_a_probe_error(csv_text, extra):
    from ftwizard.hardware.base import ProbeError
    from ftwizard.hardware.nvidia_smi import (
        mig_slices,
        parse_compute_apps,
        parse_cuda_version,
        parse_mig_memory,
        parse_query_csv,
    )

    try:
        gpus = parse_query_csv(csv_text)
    except ProbeError as exc:
        assert str(exc).startswith("nvidia-smi")
        gpus = []
    parse_cuda_version(extra)
    assert all(n >= 1 for n in parse_compute_apps(extra).values())
    mig_slices(gpus, extra, parse_mig_memory(extra))


@fuzz_settings(CASES["nvidia_smi"] // 3)
@given(csv_text=smi_output(), table=st.text(max_size=200), listing=st.text(max_size=200))
def test_detection_survives_any_nvidia_smi_output(csv_text, table, listing, tmp_path):
    from _hardware_fakes import RecordedRunner
    from ftwizard.hardware import nvidia_smi
    from ftwizard.hardware.detect import detect

    runner = RecordedRunner({
        tuple(nvidia_smi.query_argv()): csv_text, tuple(nvidia_smi.TABLE_ARGV): table,
        tuple(nvidia_smi.LIST_ARGV): listing, tuple(nvidia_smi.APPS_ARGV): table,
    })
    profile = detect(runs_dir=tmp_path, runner=runner, backends=[nvidia_smi.NvidiaSmiBackend()], os_system="Linux")
    attempt = profile.backends[0]
    assert attempt.status in ("ok", "failed")
    assert "unexpected" not in (attempt.reason or "")  # a parser bug would show up as 'unexpected output'


# --- through the command line: exit 0 or 2, one line, never a traceback -----------------------

CASES["cli"] = 120


@pytest.fixture()
def run_cli(capsys):
    from ftwizard.cli.main import main

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        err = capsys.readouterr().err
        assert code in (0, 2), (argv, code, err)
        assert "Traceback" not in err
        if code == 2:
            assert err.startswith("ftwizard: error: ")
        return code, err

    return run


@fuzz_settings(CASES["cli"])
@given(data=st.data(), which=st.sampled_from(["answers", "overlay", "plan", "dataset", "catalog"]))
def test_fuzzed_files_through_the_cli_exit_0_or_2(tmp_path, run_cli, data, which):
    if which == "answers":
        path = tmp_path / "answers.json"
        path.write_bytes(data.draw(hostile_file(VALID_ANSWERS)))
        run_cli("plan", "--answers", str(path), "--top", "2", "--json")
    elif which == "overlay":
        path = tmp_path / "site.json"
        path.write_bytes(data.draw(hostile_file(valid_overlay())))
        run_cli("catalog", "validate", str(path))
        run_cli("--user-catalog", str(path), "plan", "--answers", str(ROOT / "examples" / "answers-support-bot.json"), "--top", "2")
    elif which == "plan":
        path = tmp_path / "plan.json"
        path.write_bytes(data.draw(hostile_file(valid_plan())))
        out = tmp_path / f"recipe-{data.draw(st.integers(0, 10**9))}"
        run_cli("export", "recipe", "--plan", str(path), "--engine", "torchrun", "--out", str(out))
    elif which == "dataset":
        suffix, raw = data.draw(dataset_file())
        path = tmp_path / f"train.{suffix}"
        path.write_bytes(raw)
        run_cli("data", "inspect", str(path), "--json")
        run_cli("data", "split", str(path), "--out", str(tmp_path / "split"))
    else:
        section = data.draw(st.sampled_from(["models", "gpus", "prices"]))
        path = tmp_path / f"{section}.json"
        path.write_bytes(data.draw(hostile_file(small_section(section))))
        run_cli("catalog", "validate", str(path))


def test_a_file_saved_with_a_bom_by_a_windows_editor_loads(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_bytes(b"\xef\xbb\xbf" + json.dumps(VALID_ANSWERS, indent=2).encode("utf-8"))
    assert load_answers(answers).task.kind == "chat"
    overlay = tmp_path / "usb-stick.json"
    overlay.write_bytes(b"\xef\xbb\xbf" + json.dumps(valid_overlay()).encode("utf-8"))
    assert load_catalog(overlay).model("site-7b")
