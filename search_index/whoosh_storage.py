"""Where the live index is: `CURRENT` names one `ix-*` folder. A rebuild builds a new folder
beside it and replaces `CURRENT` with os.replace, so a reader opens either the old or the new
complete index, never a half-built one; folders no longer named are removed by the next rebuild,
never while readers may still use them.
"""

import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import index

from .backend import IndexLocked
from .whoosh_internals import writer_lock
from .whoosh_schema import schema

POINTER = "CURRENT"
DIR_PREFIX = "ix-"


class IndexStore:
    """A directory holding `CURRENT` and one or more `ix-*` indexes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)

    def pointer(self) -> str | None:
        """The name of the live index folder, if there is one yet."""
        try:
            return (self.path / POINTER).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def current(self) -> str:
        """The name of the live index folder, creating an empty index the first time."""
        name = self.pointer()
        if name is None:
            new_name, folder = self._new_folder()
            index.create_in(str(folder), schema())
            if not self._point_to(new_name, exclusive=True):
                shutil.rmtree(folder, ignore_errors=True)
            name = self.pointer()
        return name

    def open(self, name: str):
        return index.open_dir(str(self.path / name))

    def replace(self, build: Callable[[Path], int], lock_timeout: float) -> int:
        """Build a new index with `build(folder)` and switch `CURRENT` to it; return its count.

        The live index's writer lock is held throughout, so concurrent writers raise
        IndexLocked and their changes wait (in the caller's outbox) for the swapped-in index.
        """
        old_name = self.current()
        lock = writer_lock(self.open(old_name))
        deadline = time.monotonic() + lock_timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise IndexLocked(f"search index writer lock busy at {self.path}")
            time.sleep(0.05)
        new_name, folder = self._new_folder()
        try:
            count = build(folder)
            self._point_to(new_name, exclusive=False)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            lock.release()
        for stale in self.path.glob(f"{DIR_PREFIX}*"):
            if stale.name not in (new_name, old_name) and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        return count

    def _new_folder(self) -> tuple[str, Path]:
        name = f"{DIR_PREFIX}{time.time_ns():x}-{os.getpid()}"
        folder = self.path / name
        folder.mkdir()
        return name, folder

    def _point_to(self, name: str, exclusive: bool) -> bool:
        temporary = self.path / f".{POINTER}.{os.getpid()}.{threading.get_ident()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(name)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            if exclusive:
                # Two processes initialising at once: the first pointer wins, the other is dropped.
                try:
                    os.link(temporary, self.path / POINTER)
                except FileExistsError:
                    return False
            else:
                os.replace(temporary, self.path / POINTER)
        finally:
            temporary.unlink(missing_ok=True)
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return True
