"""A bank's team splits off a holdout set that anyone can reproduce from the file and the seed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from data_helpers import chat, write_jsonl
from ftwizard.base.errors import DatasetError
from ftwizard.data.split import HOLDOUT_FILE, TRAIN_FILE, holdout_count, split


def rows_file(tmp_path, n=200):
    rows = [chat(f"Question number {i}?", f"Answer number {i}.") for i in range(n)]
    return write_jsonl(tmp_path / "loans.jsonl", rows)


def lines(path) -> list[bytes]:
    return path.read_bytes().splitlines()


def test_split_writes_two_files_of_original_lines(tmp_path):
    f = rows_file(tmp_path)
    s = split(f, holdout=0.1, seed=0, out_dir=tmp_path / "out")
    train, held = lines(tmp_path / "out" / TRAIN_FILE), lines(tmp_path / "out" / HOLDOUT_FILE)
    assert (s.rows_train, s.rows_holdout, s.rows_skipped) == (180, 20, 0)
    assert (len(train), len(held)) == (180, 20)
    original = lines(f)
    # Byte for byte, each row exactly once, and file order kept within each side.
    assert sorted(train + held) == sorted(original)
    assert train == [x for x in original if x in set(train)]


def test_same_seed_same_split_even_under_another_hash_seed(tmp_path):
    f = rows_file(tmp_path)
    split(f, seed=7, out_dir=tmp_path / "a")
    code = (
        "import sys; from ftwizard.data.split import split; "
        "split(sys.argv[1], seed=7, out_dir=sys.argv[2])"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", code, str(f), str(tmp_path / "b")], check=True, env=env)
    for name in (TRAIN_FILE, HOLDOUT_FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_another_seed_holds_out_other_rows(tmp_path):
    f = rows_file(tmp_path)
    split(f, seed=0, out_dir=tmp_path / "a")
    split(f, seed=1, out_dir=tmp_path / "b")
    a, b = set(lines(tmp_path / "a" / HOLDOUT_FILE)), set(lines(tmp_path / "b" / HOLDOUT_FILE))
    assert len(a) == len(b) == 20 and a != b


def test_a_row_keeps_its_side_when_rows_are_added(tmp_path):
    f = rows_file(tmp_path, 200)
    split(f, seed=3, out_dir=tmp_path / "a")
    held_before = set(lines(tmp_path / "a" / HOLDOUT_FILE))
    old_rows = set(lines(f))
    with open(f, "a", encoding="utf-8") as fh:
        for i in range(200, 220):
            fh.write(json.dumps(chat(f"Question number {i}?", f"Answer number {i}.")) + "\n")
    split(f, seed=3, out_dir=tmp_path / "b")
    held_after = set(lines(tmp_path / "b" / HOLDOUT_FILE))
    # Old rows keep their rank, so the old rows held out now and those held out before are
    # both "the k smallest": one set contains the other, whatever the new rows did.
    assert len(held_after) == 22
    old_held_after = held_after & old_rows
    assert old_held_after <= held_before or held_before <= old_held_after
    assert len(held_before & held_after) >= 15


def test_bad_rows_and_duplicates_are_left_out(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [
        chat("q1", "a1"), "{broken", chat("q2", "a2"), chat("q1", "a1"), chat("q3", "a3"),
        {"messages": [{"role": "user", "content": "no answer"}]},
    ])
    s = split(f, holdout=0.34, seed=0, out_dir=tmp_path / "out")
    assert (s.rows_train, s.rows_holdout, s.rows_skipped) == (2, 1, 3)
    kept = lines(tmp_path / "out" / TRAIN_FILE) + lines(tmp_path / "out" / HOLDOUT_FILE)
    assert sorted(kept) == sorted(json.dumps(chat(q, a)).encode() for q, a in (("q1", "a1"), ("q2", "a2"), ("q3", "a3")))


def test_files_are_private_and_nothing_is_left_behind(tmp_path):
    f = rows_file(tmp_path, 20)
    out = tmp_path / "out"
    split(f, out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == [HOLDOUT_FILE, TRAIN_FILE]
    if os.name == "posix":
        for name in (TRAIN_FILE, HOLDOUT_FILE):
            assert stat.S_IMODE((out / name).stat().st_mode) == 0o600


def test_csv_rows_become_json_lines_with_the_mapped_fields(tmp_path):
    f = tmp_path / "faq.csv"
    f.write_text("question,answer\nq1,a1\nq2,a2\nq3,a3\n", encoding="utf-8")
    split(f, holdout=0.3, out_dir=tmp_path / "out", columns={"prompt": "question", "completion": "answer"})
    kept = [json.loads(x) for x in lines(tmp_path / "out" / TRAIN_FILE) + lines(tmp_path / "out" / HOLDOUT_FILE)]
    assert sorted(kept, key=lambda r: r["prompt"]) == [
        {"prompt": f"q{i}", "completion": f"a{i}"} for i in (1, 2, 3)
    ]


def test_refuses_to_overwrite_its_input_and_odd_fractions(tmp_path):
    f = write_jsonl(tmp_path / TRAIN_FILE, [chat("q", "a"), chat("q2", "a2")])
    before = f.read_bytes()
    with pytest.raises(DatasetError, match="would overwrite the input file"):
        split(f, out_dir=tmp_path)
    assert f.read_bytes() == before
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(DatasetError, match="between 0 and 1"):
            split(f, holdout=bad, out_dir=tmp_path / "out")
    only_bad = write_jsonl(tmp_path / "bad.jsonl", [{"messages": [{"role": "user", "content": "x"}]}])
    with pytest.raises(DatasetError, match="no usable rows to split"):
        split(only_bad, out_dir=tmp_path / "out")


def test_holdout_count_keeps_one_row_each_side():
    assert holdout_count(1000, 0.1) == 100
    assert holdout_count(5, 0.01) == 1
    assert holdout_count(2, 0.99) == 1
    assert holdout_count(1, 0.5) == 0
