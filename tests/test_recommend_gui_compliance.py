"""The hardware page greys out cloud GPUs for an air-gapped site only (issue 20): regulated data
may still use cloud offers inside the data residency, so the page leaves cloud selectable."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from ftwizard.catalog.store import load_catalog
from ftwizard.recommend.answers import parse_answers  # noqa: E402
from ftwizard.recommend.hardware_options import local_only  # noqa: E402
from recommend_helpers import ISSUE_EXAMPLE, merged  # noqa: E402


@pytest.fixture
def page(qtbot):
    from ftwizard.gui.page_hardware import HardwarePage

    p = HardwarePage(load_catalog(), detector=lambda: None)
    qtbot.addWidget(p)
    return p


def test_regulated_data_leaves_cloud_selectable(page):
    answers = parse_answers(merged(ISSUE_EXAMPLE, compliance={"regulated_data": True, "data_residency": "EU"}))
    page.set_local_only(local_only(answers), answers.compliance.air_gapped)
    assert page.use_cloud.isEnabled()
    assert page.cloud_note.text() == ""


def test_an_air_gapped_site_greys_cloud_out_and_says_why(page):
    answers = parse_answers(merged(ISSUE_EXAMPLE, compliance={"air_gapped": True}))
    page.set_local_only(local_only(answers), answers.compliance.air_gapped)
    assert not page.use_cloud.isEnabled()
    assert "air-gapped" in page.cloud_note.text()
