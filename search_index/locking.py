"""An exclusive lock shared by every process on one machine: `flock` on a file, waited for up to a
timeout (writers of an index folder, drainers of the outbox)."""

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from os import PathLike

__all__ = ["exclusive"]


@contextmanager
def exclusive(
    path: str | PathLike[str],
    timeout: float,
    busy: Callable[[], Exception],
    poll: float = 0.05,
) -> Iterator[None]:
    """Hold the lock on `path` (created if missing), or raise `busy()` after `timeout` seconds."""
    with open(path, "a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy() from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
