"""Errors meant for the user: one line that names the file, the row, the field or the flag."""

from __future__ import annotations

import os


class InputError(ValueError):
    """Bad input: the message names the file, the row and the field."""

    def __init__(self, path: str | os.PathLike, message: str, row: int | None = None, field: str | None = None):
        self.path, self.row, self.field, self.reason = str(path), row, field, message
        where = self.path
        if row is not None:
            where += f": row {row}"
        if field is not None:
            where += f", field {field!r}" if row is not None else f": field {field!r}"
        super().__init__(f"{where}: {message}")


class OutputError(ValueError):
    """An output that cannot or may not be written: the message names the path and what to do."""

    def __init__(self, path: str | os.PathLike, message: str):
        self.path, self.reason = str(path), message
        super().__init__(f"{path}: {message}")


def os_error_line(exc: OSError, path: str | os.PathLike | None = None) -> str:
    """``OSError`` as one line: the path and the system's reason (no space left, read-only file system, ...)."""
    where = exc.filename or path or ""
    reason = exc.strerror or str(exc)
    return f"{where}: {reason}" if where else reason
