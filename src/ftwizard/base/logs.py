"""Logging for the program: a rotating file under the user's log folder, readable by the
user only. What is logged is the program's own actions (file names, counts, line numbers,
timings), never dataset text or the task description: callers pass those to no logger.
"""

from __future__ import annotations

import logging
import logging.handlers
import os

from ftwizard.base.paths import log_dir

LOG_FILE = "ftwizard.log"
MAX_BYTES = 1_000_000  # rotate at 1 MB, keep 5 old files: a few weeks of normal use
BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Creates every log file 0600 on POSIX, rotated ones included."""

    def _open(self):  # noqa: ANN202 - stdlib signature
        stream = super()._open()
        if os.name == "posix":
            try:
                os.chmod(self.baseFilename, 0o600)
            except OSError:
                pass
        return stream


def setup_logging(level: int = logging.INFO) -> logging.Handler:
    """Attach the rotating file handler to the `ftwizard` logger (idempotent).

    A handler left from an earlier log folder (FTWIZARD_HOME changed in this process) is
    replaced, so logs always go where `log_dir()` says now.
    """
    logger = logging.getLogger("ftwizard")
    path = log_dir() / LOG_FILE
    for h in list(logger.handlers):
        if isinstance(h, _PrivateRotatingHandler):
            if os.path.abspath(h.baseFilename) == os.path.abspath(path):
                return h
            logger.removeHandler(h)
            h.close()
    handler = _PrivateRotatingHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler
