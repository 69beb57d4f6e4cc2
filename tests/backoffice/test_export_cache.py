"""Cached downloads: a builder never exposes a partial file, even when another builder of the
same file finishes while it writes; other generations are deleted."""

from pathlib import Path

import pytest

from app.backoffice.export_cache import open_or_build


def test_concurrent_builders_of_one_file_each_serve_a_complete_copy(app):
    folder = Path(app.config["EXPORT_CACHE_DIR"])

    def slow_build(file):
        file.write(b"first builder, ")
        # Meanwhile another worker builds and serves the same file.
        second = open_or_build("7", ("firms",), lambda other: other.write(b"second builder"), ".x")
        with second:
            assert second.read() == b"second builder"
        assert [path.read_bytes() for path in folder.glob("*.x")] == [b"second builder"]
        file.write(b"complete")

    with open_or_build("7", ("firms",), slow_build, ".x") as served:
        assert served.read() == b"first builder, complete"
    assert [path.read_bytes() for path in folder.iterdir()] == [b"first builder, complete"]
    with open_or_build("7", ("firms",), lambda file: file.write(b"not built again"), ".x") as f:
        assert f.read() == b"first builder, complete"


def test_a_failed_build_leaves_nothing_and_a_new_generation_replaces_the_old(app):
    folder = Path(app.config["EXPORT_CACHE_DIR"])

    def failing(file):
        file.write(b"half")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        open_or_build("7", ("firms",), failing, ".x")
    assert list(folder.iterdir()) == []
    open_or_build("7", ("firms",), lambda file: file.write(b"old"), ".x").close()
    open_or_build("7", ("zones",), lambda file: file.write(b"old"), ".x").close()
    open_or_build("8", ("firms",), lambda file: file.write(b"new"), ".x").close()
    assert [path.read_bytes() for path in folder.iterdir()] == [b"new"]
