"""Which files ``sbr-inbox parse`` reads: folders recursively in name order, each file once."""

from __future__ import annotations

from pathlib import Path

from cli.parse import expand_paths


def test_folders_are_read_recursively_in_order_and_each_file_once(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    for name in ("b/2.xml", "a/deep/3.xml", "a/1.xml", "top.xml"):
        (tmp_path / name).write_text("x")
    (tmp_path / "link.xml").symlink_to(tmp_path / "top.xml")  # the same file by another name
    found = list(expand_paths([tmp_path, tmp_path / "a" / "1.xml", tmp_path / "link.xml"]))
    assert [str(p.relative_to(tmp_path)) for p in found] == [
        "a/1.xml",
        "a/deep/3.xml",
        "b/2.xml",
        "link.xml",  # first seen under this name (sorted before top.xml); top.xml is the same
    ]


def test_a_path_that_cannot_be_read_is_still_listed(tmp_path: Path) -> None:
    missing = tmp_path / "gone.xml"
    assert list(expand_paths([missing])) == [missing]
