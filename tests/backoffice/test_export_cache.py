"""Cached downloads: no reader ever sees a partial file, one build runs at a time on a host,
and building deletes the files of other generations."""

import fcntl
from pathlib import Path

import pytest

from app.backoffice.export_cache import LOCK, Busy, open_or_build


def test_a_file_appears_only_complete_and_is_then_served_without_building(app):
    folder = Path(app.config["EXPORT_CACHE_DIR"])

    def build(file):
        file.write(b"first half, ")
        assert list(folder.glob("*.csv")) == []  # readers find nothing yet, not half a file
        file.write(b"second half")

    with open_or_build("7", ("firms",), build, ".csv") as served:
        assert served.read() == b"first half, second half"
    with open_or_build("7", ("firms",), lambda file: file.write(b"rebuilt"), ".csv") as served:
        assert served.read() == b"first half, second half"


def test_while_another_worker_builds_a_missing_file_is_refused_and_a_cached_one_served(app):
    folder = Path(app.config["EXPORT_CACHE_DIR"])
    open_or_build("7", ("zones",), lambda file: file.write(b"zones"), ".csv").close()
    with (folder / LOCK).open("a") as other_worker:
        fcntl.flock(other_worker, fcntl.LOCK_EX)
        with pytest.raises(Busy):
            open_or_build("7", ("firms",), lambda file: file.write(b"firms"), ".csv")
        with open_or_build("7", ("zones",), lambda file: file.write(b"again"), ".csv") as served:
            assert served.read() == b"zones"
    with open_or_build("7", ("firms",), lambda file: file.write(b"firms"), ".csv") as served:
        assert served.read() == b"firms"


def test_a_failed_build_leaves_nothing_and_a_new_generation_replaces_the_old(app):
    folder = Path(app.config["EXPORT_CACHE_DIR"])

    def failing(file):
        file.write(b"half")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        open_or_build("7", ("firms",), failing, ".csv")
    assert [path.name for path in folder.iterdir()] == [LOCK]
    open_or_build("7", ("firms",), lambda file: file.write(b"old"), ".csv").close()
    open_or_build("7", ("zones",), lambda file: file.write(b"old"), ".csv").close()
    open_or_build("8", ("firms",), lambda file: file.write(b"new"), ".csv").close()
    cached = [path.read_bytes() for path in folder.iterdir() if path.name != LOCK]
    assert cached == [b"new"]
