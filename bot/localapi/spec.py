"""The Bot API description (bot-api.json): methods, parameters and types, checked per call."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.localapi.errors import BadRequest
from bot.localapi.limits import check_limits

SPEC_PATH = Path(__file__).parent / "bot-api.json"
# Telegram ignores parameters a method does not have; this server refuses them, to catch
# typos, except these that python-telegram-bot always sends (its Defaults put a top-level
# parse_mode into editMessageMedia; the caption's own parse_mode is inside the InputMedia).
IGNORED_EXTRAS = frozenset({("editMessageMedia", "parse_mode")})


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None


class Spec:
    """The Bot API description (methods, parameters, types) with a call validator."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        """Index the description by method name (Telegram matches names case-insensitively)."""
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, Any] = dict(data["methods"])
        self.types: dict[str, Any] = dict(data["types"])
        self._by_lower = {name.lower(): name for name in self.methods}

    def method_name(self, name: str) -> str | None:
        """The canonical name of a method, or None when it does not exist."""
        return self._by_lower.get(name.lower())

    def returns(self, method: str) -> list[str]:
        """The declared return types of a method."""
        return list(self.methods[method].get("returns", []))

    def validate(
        self, method: str, params: Mapping[str, Any], uploads: Mapping[str, Upload]
    ) -> dict[str, Any]:
        """Check and coerce one call's parameters; raise BadRequest on the first problem."""
        spec = self.methods[method]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        for name in params:
            if name not in fields and (method, name) not in IGNORED_EXTRAS:
                raise BadRequest(f'unknown parameter "{name}" for method {method}')
        out: dict[str, Any] = {}
        for name, fdef in fields.items():
            if name not in params or params[name] is None:
                if fdef.get("required"):
                    if name == "text":
                        raise BadRequest("message text is empty")
                    raise BadRequest(f"{name} is empty")
                continue
            out[name] = self._coerce_param(name, fdef["types"], params[name], uploads)
        check_limits(method, out)
        return out

    # -- types ------------------------------------------------------------------------------

    def _coerce_param(
        self, path: str, types: list[str], value: Any, uploads: Mapping[str, Upload]
    ) -> Any:
        errors: list[str] = []
        for tname in types:
            try:
                return self._coerce(path, tname, value, uploads, top=True)
            except BadRequest as exc:
                errors.append(exc.description.removeprefix("Bad Request: "))
        if len(types) == 1:
            raise BadRequest(errors[0])
        raise BadRequest(f"{path}: expected {' or '.join(types)} ({errors[0]})")

    def _coerce(
        self, path: str, tname: str, value: Any, uploads: Mapping[str, Upload], *, top: bool
    ) -> Any:
        if tname.startswith("Array of "):
            inner = tname.removeprefix("Array of ")
            if isinstance(value, str):
                value = _json_or_fail(path, value, tname)
            if not isinstance(value, list):
                raise BadRequest(f"{path}: expected {tname}")
            return [
                self._coerce(f"{path}[{k}]", inner, item, uploads, top=False)
                for k, item in enumerate(value)
            ]
        if tname == "Integer":
            if isinstance(value, bool):
                raise BadRequest(f"{path}: expected Integer")
            if isinstance(value, int):
                return value
            if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value.strip()):
                return int(value)
            raise BadRequest(f"{path}: expected Integer")
        if tname == "Float":
            if isinstance(value, bool):
                raise BadRequest(f"{path}: expected Float")
            if isinstance(value, int | float):
                return float(value)
            try:
                return float(str(value))
            except ValueError:
                raise BadRequest(f"{path}: expected Float") from None
        if tname == "Boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
                return value.lower() in ("true", "1")
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise BadRequest(f"{path}: expected Boolean")
        if tname == "String":
            if isinstance(value, str):
                return value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
            raise BadRequest(f"{path}: expected String")
        if tname == "InputFile":
            if isinstance(value, Upload):
                return value
            if isinstance(value, str) and value.startswith("attach://"):
                name = value.removeprefix("attach://")
                if name in uploads:
                    return uploads[name]
            raise BadRequest(f"{path}: expected an uploaded file")
        tdef = self.types.get(tname)
        if tdef is None:
            raise BadRequest(f"{path}: unsupported type {tname}")
        if top and isinstance(value, str):
            value = _json_or_fail(path, value, tname)
        if tdef.get("subtypes"):
            errors: list[str] = []
            for sub in tdef["subtypes"]:
                try:
                    return self._coerce(path, sub, value, uploads, top=False)
                except BadRequest as exc:
                    errors.append(exc.description.removeprefix("Bad Request: "))
            raise BadRequest(f"{path}: no kind of {tname} fits ({errors[0]})")
        if not isinstance(value, dict):
            raise BadRequest(f"{path}: expected a JSON object {tname}")
        fields = {f["name"]: f for f in tdef.get("fields", [])}
        for key in value:
            if key not in fields:
                raise BadRequest(f'{path}: unknown field "{key}" in {tname}')
        out: dict[str, Any] = {}
        for key, fdef in fields.items():
            if key not in value or value[key] is None:
                if fdef.get("required"):
                    raise BadRequest(f'{path}: field "{key}" of {tname} is required')
                continue
            sub_errors: list[str] = []
            for sub_t in fdef["types"]:
                try:
                    out[key] = self._coerce(f"{path}.{key}", sub_t, value[key], uploads, top=False)
                    break
                except BadRequest as exc:
                    sub_errors.append(exc.description.removeprefix("Bad Request: "))
            else:
                raise BadRequest(sub_errors[0])
        _check_discriminator(path, tname, fdef_list=tdef.get("fields", []), value=out)
        return out


def _check_discriminator(
    path: str, tname: str, *, fdef_list: list[dict[str, Any]], value: dict[str, Any]
) -> None:
    """Subtypes such as BotCommandScopeChat say their `type` in prose: 'must be chat'."""
    for fdef in fdef_list:
        if fdef["name"] != "type":
            continue
        m = re.search(r"(?:must be|always) [“\"]?([a-z_]+)[”\"]?", str(fdef.get("description")))
        if m and value.get("type") != m.group(1):
            raise BadRequest(f"{path}: {tname} needs type {m.group(1)}")


def _json_or_fail(path: str, value: str, tname: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise BadRequest(f"{path}: can't parse {tname} JSON object") from None


@functools.cache
def load_spec() -> Spec:
    """The packaged bot-api.json, read once."""
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return Spec(json.load(fh))
