"""Domain errors: the handler wrapper turns each into a specific polite message."""

from __future__ import annotations


class DomainError(Exception):
    """Something the person asked for cannot be done; the transaction is rolled back."""


class NotAllowed(DomainError):
    """The person's role does not allow this."""


class NotFound(DomainError):
    """What the person refers to does not exist (any more)."""


class Stale(DomainError):
    """A button or step that no longer matches the current state."""


class Invalid(DomainError):
    """Input that does not fit (a date in the past, an empty name, ...)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
