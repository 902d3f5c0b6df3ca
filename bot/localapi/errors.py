"""The Bot API's error answers, as exceptions the local server raises and returns."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer of the Bot API: error_code, description, optional parameters."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class BadRequest(ApiError):
    """A 400 answer; the text after "Bad Request: " is given."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, f"Bad Request: {detail}")
