"""Domain errors: the handler wrapper turns each into a specific polite message."""

from __future__ import annotations

from collections.abc import Callable


class DomainError(Exception):
    """Something the person asked for cannot be done; the transaction is rolled back."""


class NotAllowed(DomainError):
    """The person's role does not allow this."""


class NotFound(DomainError):
    """What the person refers to does not exist (any more)."""


class Stale(DomainError):
    """A button or step that no longer matches the current state."""


class Invalid(DomainError):
    """Input that does not fit (a date in the past, an empty name, ...).

    `reason` is an English msgid marked with `N_()`, with `{name}` fields filled from
    `params`; people read it translated (`explain`), the command line in English (`str`).
    """

    def __init__(self, reason: str = "", **params: object) -> None:
        super().__init__(reason.format(**params) if params else reason)
        self.reason = reason
        self.params = params

    def explain(self, gettext: Callable[[str], str]) -> str:
        """The reason in the reader's language; text params are msgids (field names) too."""
        if not self.reason:
            return ""
        params = {k: gettext(v) if isinstance(v, str) else v for k, v in self.params.items()}
        return gettext(self.reason).format(**params)
