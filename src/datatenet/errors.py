"""The one error type users see. The CLI turns it into a message and an exit code."""

from __future__ import annotations


class DatatenetError(Exception):
    """Something the user can fix: bad input, bad usage, missing data.

    `message` says what is wrong (naming the file and line where there is one),
    `hint` says what to do about it.
    """

    exit_code = 2  # exits.USER_ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"

    def __reduce__(self) -> tuple[type[DatatenetError], tuple[str, str]]:
        # Errors raised in a worker process cross back by pickle; keep the hint.
        return (self.__class__, (self.message, self.hint))


class InputError(DatatenetError):
    """A dataset file that cannot be read as it is."""


class RecordError(ValueError):
    """One record that does not fit its schema; the loader adds the file and line."""

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint
