"""Built downloads kept on disk under EXPORT_CACHE_DIR: one file per key and generation.

Building a list of 10,000 firms takes seconds of CPU, so this host builds one file at a time
(a lock every worker shares): a request that needs a build while another one runs is refused at
once (`Busy`) rather than queued, since a waiting worker serves nobody else. Cached files cost
almost nothing to send.

A file is written under a temporary name and renamed into place (`os.replace` is atomic), so no
reader ever sees a partial file, and a builder that dies leaves no file behind but the temporary
one, which the next build deletes. Building a file deletes the files of other generations and
keeps at most MAX_FILES, so arbitrary filter values cannot fill the disk. The folder can be
emptied at any time.
"""

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from flask import current_app

MAX_FILES = 200
TEMPORARY = ".part"
LOCK = "build.lock"
RETRY_AFTER_SECONDS = 5


class Busy(Exception):
    """Another download is being built on this host; try again in a few seconds."""


def open_or_build(
    generation: str, key: tuple, build: Callable[[BinaryIO], None], suffix: str
) -> BinaryIO:
    """The cached file for `key` in this generation, opened for reading; built first (by
    `build(file)`) if it is not there yet. Raises Busy while another build runs."""
    folder = Path(current_app.config["EXPORT_CACHE_DIR"])
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    path = folder / f"{generation}_{digest}{suffix}"
    try:
        return path.open("rb")
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy() from None
        try:
            return path.open("rb")  # built by the previous holder of the lock
        except FileNotFoundError:
            file = _build(folder, path, generation, build)
        _evict(folder, generation)
        return file


def _build(folder: Path, path: Path, generation: str, build) -> BinaryIO:
    file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (returned open, the response closes it)
        dir=folder, prefix=f"{generation}_", suffix=TEMPORARY, delete=False
    )
    try:
        build(file)
        file.flush()
        os.replace(file.name, path)
    except BaseException:
        file.close()
        Path(file.name).unlink(missing_ok=True)
        raise
    # This handle still reads the complete file even if it is evicted meanwhile.
    file.seek(0)
    return file


def _evict(folder: Path, generation: str) -> None:
    """Under the build lock: any temporary file left is a dead builder's."""
    current = []
    for path in folder.iterdir():
        if path.name == LOCK:
            continue
        if path.name.startswith(f"{generation}_") and not path.name.endswith(TEMPORARY):
            current.append((path.stat().st_mtime, path))
        else:
            path.unlink(missing_ok=True)
    for _modified, path in sorted(current, reverse=True)[MAX_FILES:]:
        path.unlink(missing_ok=True)
