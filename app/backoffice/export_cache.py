"""Built downloads kept on disk under EXPORT_CACHE_DIR: one file per key and generation.

A file is written under a temporary name and renamed into place (`os.replace` is atomic), so
concurrent builders of the same file never expose a partial one: each serves its own complete
copy and the last rename wins. Building a file deletes the files of other generations and keeps
at most MAX_FILES, so arbitrary filter values cannot fill the disk. The folder can be emptied at
any time.
"""

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from flask import current_app

MAX_FILES = 200
TEMPORARY = ".part"
# A temporary file this old was left by a builder that died (a live build takes seconds).
ABANDONED_AFTER_SECONDS = 3600


def open_or_build(
    generation: str, key: tuple, build: Callable[[BinaryIO], None], suffix: str
) -> BinaryIO:
    """The cached file for `key` in this generation, opened for reading; built first (by
    `build(file)`) if it is not there yet."""
    folder = Path(current_app.config["EXPORT_CACHE_DIR"])
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    path = folder / f"{generation}_{digest}{suffix}"
    try:
        return path.open("rb")
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
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
    # This handle still reads the complete file even if it is replaced or evicted meanwhile.
    file.seek(0)
    _evict(folder, generation)
    return file


def _evict(folder: Path, generation: str) -> None:
    now = time.time()
    current = []
    for path in folder.iterdir():
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:
            continue  # removed by another process meanwhile
        if path.name.endswith(TEMPORARY):
            # Another builder may still be writing it: only abandoned ones go.
            if now - modified > ABANDONED_AFTER_SECONDS:
                path.unlink(missing_ok=True)
        elif path.name.startswith(f"{generation}_"):
            current.append((modified, path))
        else:
            path.unlink(missing_ok=True)
    for _modified, path in sorted(current, reverse=True)[MAX_FILES:]:
        path.unlink(missing_ok=True)
