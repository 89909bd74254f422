"""The shipped catalog loads, holds the truth where the seed article was wrong, and a broken
catalog file is refused with the file, the JSON path inside it and the reason."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ftwizard.base.errors import CatalogError
from ftwizard.catalog import entries as catmod
from ftwizard.catalog.store import load_catalog, validate_file

CATALOG_DIR = Path(__file__).resolve().parents[1] / "resources" / "catalog"


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def shipped(section: str) -> dict:
    return json.loads((CATALOG_DIR / f"{section}.json").read_text())


def test_every_section_carries_version_and_date():
    for section in catmod.SECTIONS:
        data = shipped(section)
        assert data["schema_version"] == 1
        assert data["version"] and data["as_of"]


@pytest.mark.parametrize(
    "model_id, low, high",
    [
        ("phi-4", 14.0, 15.0),  # the seed article called it 3.8B
        ("phi-4-mini", 3.7, 3.9),
        ("llama-3.1-70b", 70.0, 71.0),
        ("llama-3-8b", 7.9, 8.1),
        ("mistral-large-2-2407", 122.0, 123.5),
        ("qwen2-72b", 72.0, 73.0),
    ],
)
def test_seed_models_have_their_true_size(cat, model_id, low, high):
    assert low <= cat.model(model_id).params_b <= high


def test_seed_models_are_all_present(cat):
    ids = {m.id for m in cat.models}
    seed = {"llama-3.1-70b", "llama-3-8b", "phi-4", "phi-4-mini", "qwen2-72b", "mistral-large-2-2407"}
    assert seed <= ids
    assert any(i.startswith("mistral-7b") for i in ids)
    assert any(i.startswith("codellama-70b") or i.startswith("code-llama-70b") for i in ids)


def test_research_licences_forbid_commercial_use(cat):
    assert not all(x.commercial_use for x in cat.model_licences(cat.model("mistral-large-2-2407")))
    assert all(x.commercial_use for x in cat.model_licences(cat.model("mistral-7b-v0.3")))


def test_llama_licence_carries_its_duties(cat):
    (lic,) = [x for x in cat.model_licences(cat.model("llama-3.1-70b"))]
    assert lic.user_threshold_mau == 700_000_000
    assert lic.attribution and "Llama" in lic.attribution
    assert lic.naming


def test_every_model_is_sourced_and_every_language_is_iso(cat):
    for m in cat.models:
        assert m.sources.architecture and m.sources.licence, m.id
        assert all(len(code) == 2 and code.islower() for code in m.languages), m.id
        for b in m.benchmarks:
            assert b.source, (m.id, b.name)


def test_moe_models_keep_all_experts_in_memory_and_report_active(cat):
    m = cat.model("qwen3-30b-a3b")
    assert m.architecture.moe_experts == 128
    assert m.active_params_b is not None and m.active_params_b < m.params_b


def test_gpu_matching_is_case_insensitive_and_uses_memory(cat):
    assert cat.find_gpu("nvidia geforce rtx 4090").id == "rtx-4090"
    assert cat.find_gpu("NVIDIA_GeForce_RTX_4090").id == "rtx-4090"
    assert cat.find_gpu("NVIDIA H100 80GB HBM3").id.startswith("h100")
    v16 = cat.find_gpu("Tesla V100-SXM2-16GB")
    v32 = cat.find_gpu("Tesla V100-SXM2-32GB")
    assert v16 and v32 and v16.id != v32.id
    assert cat.find_gpu("Some Unknown Accelerator 9000") is None


def test_prices_keep_seed_figures_labelled_unverified(cat):
    seed = [p for p in cat.prices if not p.traced]
    assert seed, "the seed article's prices are kept beside the sourced ones"
    assert all(p.label for p in seed)
    assert any(p.traced and p.source for p in cat.prices)


def test_no_shipped_price_says_verified_without_a_date(cat):
    """Issue 21: 'verified' needs a date. The traced prices (catalogue snapshots of unknown date)
    are unverified and say 'undated'; the untraced ones stay unverified."""
    for p in cat.prices:
        if p.verified:
            assert p.as_of is not None, p.id
        if p.traced and p.as_of is None:
            assert not p.verified and "undated" in (p.label or ""), p.id


def test_a_verified_price_must_be_traced_and_traced_defaults_to_verified():
    from ftwizard.catalog.entries import PriceEntry, price_traced

    base = {"id": "x", "provider": "P", "gpu_id": "h100-sxm-80gb", "usd_per_gpu_hour": 2.0,
            "pricing": "on_demand", "source": "price list"}
    assert PriceEntry.model_validate({**base, "verified": True}).traced is True
    assert PriceEntry.model_validate({**base, "verified": False}).traced is False
    undated = PriceEntry.model_validate({**base, "verified": False, "traced": True})
    assert price_traced(undated) and not undated.verified
    with pytest.raises(ValueError, match="traced"):
        PriceEntry.model_validate({**base, "verified": True, "traced": False})


# --- validation error paths: file + JSON path + reason -------------------------------


def write(tmp_path: Path, name: str, data: object) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return p


def test_wrong_type_is_refused_with_path(tmp_path):
    data = shipped("models")
    data["models"][3]["architecture"]["hidden_size"] = "big"
    p = write(tmp_path, "models.json", data)
    with pytest.raises(CatalogError) as err:
        validate_file(p)
    msg = str(err.value)
    assert str(p) in msg and "$.models[3].architecture.hidden_size" in msg and "integer" in msg


def test_missing_field_is_refused_with_path(tmp_path):
    data = shipped("models")
    del data["models"][0]["hf_repo_id"]
    p = write(tmp_path, "models.json", data)
    with pytest.raises(CatalogError, match=r"\$\.models\[0\]\.hf_repo_id: Field required"):
        validate_file(p)


def test_unknown_licence_is_refused(tmp_path):
    data = shipped("models")
    data["models"][2]["licences"] = ["made-up-licence"]
    p = write(tmp_path, "models.json", data)
    with pytest.raises(CatalogError, match=r"\$\.models\[2\]\.licences\[0\]: unknown licence 'made-up-licence'"):
        validate_file(p)


def test_unknown_key_is_refused(tmp_path):
    data = shipped("gpus")
    data["gpus"][0]["memroy_gb"] = 80
    p = write(tmp_path, "gpus.json", data)
    with pytest.raises(CatalogError, match=r"\$\.gpus\[0\]\.memroy_gb: Extra inputs"):
        validate_file(p)


def test_duplicate_id_is_refused(tmp_path):
    data = shipped("gpus")
    data["gpus"].append(copy.deepcopy(data["gpus"][0]))
    p = write(tmp_path, "gpus.json", data)
    with pytest.raises(CatalogError, match="duplicate id"):
        validate_file(p)


def test_price_for_unknown_gpu_is_refused(tmp_path):
    data = shipped("prices")
    data["prices"][0]["gpu_id"] = "no-such-gpu"
    p = write(tmp_path, "prices.json", data)
    with pytest.raises(CatalogError, match=r"\$\.prices\[0\]\.gpu_id: unknown GPU"):
        validate_file(p)


def test_syntax_error_names_the_line(tmp_path):
    p = write(tmp_path, "models.json", '{\n  "schema_version": 1,\n  "models": [,]\n}')
    with pytest.raises(CatalogError, match=r"models\.json: line 3 column \d+: invalid JSON"):
        validate_file(p)


def test_wrong_schema_version_is_refused(tmp_path):
    data = shipped("licences")
    data["schema_version"] = 99
    p = write(tmp_path, "licences.json", data)
    with pytest.raises(CatalogError, match=r"\$\.schema_version"):
        validate_file(p)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogError, match="file not found"):
        validate_file(tmp_path / "nope.json")


def test_inconsistent_architecture_is_refused(tmp_path):
    data = shipped("models")
    arch = data["models"][0]["architecture"]
    arch["num_key_value_heads"] = arch["num_attention_heads"] + 1
    p = write(tmp_path, "models.json", data)
    with pytest.raises(CatalogError, match=r"\$\.models\[0\]\.architecture"):
        validate_file(p)


# --- the user overlay (USB-stick updates at air-gapped sites) --------------------------


def overlay(models=(), gpus=(), prices=(), licences=()):
    return {
        "schema_version": 1,
        "version": "site-1",
        "as_of": "2027-01-15",
        "models": list(models),
        "gpus": list(gpus),
        "prices": list(prices),
        "licences": list(licences),
    }


def test_overlay_adds_and_replaces_entries(tmp_path, cat):
    base_model = shipped("models")["models"][0]
    new_model = copy.deepcopy(base_model) | {"id": "our-inhouse-7b", "name": "In-house 7B"}
    changed = copy.deepcopy(base_model) | {"notes": "site note"}
    price = shipped("prices")["prices"][0] | {"id": "site-cluster", "provider": "our cluster",
                                               "usd_per_gpu_hour": 0.5, "verified": True}
    p = write(tmp_path, "site.json", overlay(models=[new_model, changed], prices=[price]))
    merged = load_catalog(p)
    assert merged.model("our-inhouse-7b").name == "In-house 7B"
    assert merged.model(base_model["id"]).notes == "site note"
    assert len(merged.models) == len(cat.models) + 1
    assert any(x.id == "site-cluster" for x in merged.prices)
    assert merged.version.endswith("+site-1")
    assert str(merged.as_of) == "2027-01-15"
    # the shipped catalog itself is untouched
    assert load_catalog().model(base_model["id"]).notes == base_model.get("notes")
    assert validate_file(p).startswith("user catalog")


def test_overlay_with_unknown_licence_is_refused(tmp_path):
    m = copy.deepcopy(shipped("models")["models"][0]) | {"id": "x-1b", "licences": ["nope"]}
    p = write(tmp_path, "site.json", overlay(models=[m]))
    with pytest.raises(CatalogError, match=r"site\.json: \$\.models\[0\]\.licences\[0\]: unknown licence"):
        load_catalog(p)


def test_overlay_may_bring_its_own_licence(tmp_path):
    lic = {"id": "site-licence", "name": "Our licence", "commercial_use": True,
           "summary": "Internal use.", "source": "legal dept memo 2027-01"}
    m = copy.deepcopy(shipped("models")["models"][0]) | {"id": "x-1b", "licences": ["site-licence"]}
    merged = load_catalog(write(tmp_path, "site.json", overlay(models=[m], licences=[lic])))
    assert merged.model_licences(merged.model("x-1b"))[0].name == "Our licence"


def test_overlay_with_bad_field_names_file_and_path(tmp_path):
    g = copy.deepcopy(shipped("gpus")["gpus"][0]) | {"id": "site-gpu", "memory_gb": -1}
    p = write(tmp_path, "usb.json", overlay(gpus=[g]))
    with pytest.raises(CatalogError, match=r"usb\.json: \$\.gpus\[0\]\.memory_gb"):
        load_catalog(p)


def test_undated_traced_prices_still_rank_above_untraced_seed_figures(cat):
    """No shipped price is verified (none is dated), yet the ranker must not fall through to the
    seed article's cheaper, untraced H100 figure: traced offers form the tier it prices from."""
    from ftwizard.recommend.candidates import _price_tier

    h100 = [p for p in cat.prices if p.gpu_id == "h100-sxm-80gb"]
    assert any(not p.traced and p.usd_per_gpu_hour < 2.5 for p in h100)  # the tempting seed figure
    tier = _price_tier(h100)
    assert tier and all(p.traced and p.pricing == "on_demand" for p in tier)
