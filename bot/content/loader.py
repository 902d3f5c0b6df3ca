"""Reading content files: YAML with the line of every value, and problems said in Indonesian.

A :class:`Checker` reads each file once, remembers its YAML nodes so any place in it (a field,
a list entry) can be named by its line, and turns pydantic's errors into sentences an author
can act on: ``content/kue/modules/label-kue.yaml:12: langkah 3 terlalu panjang``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.content.problems import ContentProblem


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a wrong date is a located problem, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):  # type: ignore[misc]
    """The same on libyaml, about five times faster (content is read at every start); a file
    it refuses is read again by `_Loader`, whose errors say where."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _parse_fast(text: str) -> tuple[yaml.Node | None, Any] | None:
    """The file's node and data, or None when it has a problem (`_Loader` locates it)."""
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


Loc = tuple[int | str, ...]
M = TypeVar("M", bound=BaseModel)

_NOUNS = {
    "id": "id",
    "title": "judul",
    "summary": "ringkasan",
    "sectors": "sektor",
    "sources": "sumber",
    "url": "alamat",
    "see_also": "lihat juga",
    "steps": "langkah",
    "image": "gambar",
    "key": "kunci",
    "name": "nama",
    "description": "keterangan",
    "phase": "tahap",
    "modules": "modul",
    "checklist": "daftar periksa",
    "version": "versi",
    "sections": "bagian",
    "items": "butir",
    "question": "pertanyaan",
    "weight": "bobot",
    "module": "modul",
    "next_step": "langkah berikutnya",
    "evidence_hint": "petunjuk bukti",
    "not_applicable": "bisa tidak berlaku",
    "include": "include",
    "sector": "sektor",
    "lights": "arti lampu",
    "quadrants": "kuadran",
    "indicators": "indikator",
    "note": "catatan",
    "days": "hari",
    "date": "tanggal",
    "contacts": "kontak",
    "contact": "kontak",
    "office": "kantor",
    "helps_with": "bantuan",
    "address": "alamat",
    "phone": "telepon",
    "whatsapp": "WhatsApp",
    "hours": "jam layanan",
    "web": "situs",
    "open_question": "pertanyaan terbuka",
    "criteria": "kriteria",
}


def _where(loc: Loc) -> str:
    """Indonesian label of a place in a file: ("steps", 2, "title") -> "judul langkah 3"."""
    parts: list[str] = []
    for index, part in enumerate(loc):
        if isinstance(part, int):
            if parts:
                parts[-1] = f"{parts[-1]} {part + 1}"
            else:
                parts.append(f"nomor {part + 1}")
        elif part == "text" and index >= 2 and loc[index - 2] == "steps":
            continue  # a step's text is the step itself
        else:
            parts.append(_NOUNS.get(part, part))
    return " ".join(reversed(parts))


@dataclass
class SourceFile:
    rel: str
    node: yaml.Node | None
    data: Any

    def line(self, loc: Loc) -> int:
        """The line of loc: the key line for a field, the item line for a list entry."""
        node = self.node
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for index, part in enumerate(loc):
            last = index == len(loc) - 1
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == part:
                        if last:
                            return int(key.start_mark.line) + 1
                        node = value
                        line = int(key.start_mark.line) + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = int(node.start_mark.line) + 1
            else:
                return line
        return line


def _has_inner(error: ErrorDetails, errors: list[ErrorDetails]) -> bool:
    loc = tuple(error["loc"])
    return any(tuple(other["loc"])[: len(loc)] == loc and other is not error for other in errors)


class Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[ContentProblem] = []

    def add(self, file: SourceFile | str, loc: Loc | int, message: str) -> None:
        rel = file.rel if isinstance(file, SourceFile) else file
        line = (
            loc if isinstance(loc, int) else file.line(loc) if isinstance(file, SourceFile) else 1
        )
        self.problems.append(ContentProblem(rel, line, message, self.root.name or "content"))

    def read(self, path: Path) -> SourceFile | None:
        rel = path.relative_to(self.root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.add(rel, 1, "berkas harus disimpan sebagai UTF-8")
            return None
        except OSError as exc:
            self.add(rel, 1, f"berkas tidak bisa dibaca ({exc.strerror})")
            return None
        parsed = _parse_fast(text)
        if parsed is not None and parsed[0] is not None:
            result = SourceFile(rel, parsed[0], parsed[1])
            self._duplicate_keys(result, parsed[0], ())
            return result
        try:
            loader = _Loader(text)
        except yaml.reader.ReaderError as exc:  # a control character, pasted or left by an editor
            line = text.count("\n", 0, exc.position) + 1
            self.add(
                rel, line, f"memuat karakter kontrol #x{exc.character:04X} (hapus karakter itu)"
            )
            return None
        try:
            node = loader.get_single_node()
            if node is None:
                self.add(rel, 1, "berkas kosong")
                return None
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            self.add(rel, line, f"penulisan YAML rusak ({exc.problem or exc.context})")
            return None
        except yaml.YAMLError as exc:
            self.add(rel, 1, f"penulisan YAML rusak ({exc})")
            return None
        finally:
            loader.dispose()
        result = SourceFile(rel, node, data)
        self._duplicate_keys(result, node, ())
        return result

    def _duplicate_keys(self, file: SourceFile, node: yaml.Node, loc: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = str(key.value)
                if name in seen:
                    self.problems.append(
                        ContentProblem(
                            file.rel,
                            key.start_mark.line + 1,
                            f"kolom '{name}' ditulis dua kali; hapus salah satunya",
                            self.root.name or "content",
                        )
                    )
                seen.add(name)
                self._duplicate_keys(file, value, (*loc, name))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                self._duplicate_keys(file, value, (*loc, index))

    def validate(
        self, model: type[M], file: SourceFile, data: Any = None, *, wrapped: int = 0
    ) -> M | None:
        """Validate file.data (or data wrapped around it: drop that many leading loc parts)."""
        try:
            return model.model_validate(file.data if data is None else data)
        except ValidationError as exc:
            errors = exc.errors()
            for error in errors:
                if error["type"] in {"too_short", "too_long"} and _has_inner(error, errors):
                    continue  # "too few steps" only because a step itself is wrong
                self._pydantic_problem(file, error, wrapped)
            return None

    def _pydantic_problem(self, file: SourceFile, error: ErrorDetails, wrapped: int) -> None:
        loc: Loc = tuple(error["loc"])[wrapped:]
        kind = error["type"]
        ctx = error.get("ctx", {})
        name = str(loc[-1]) if loc else ""
        if kind == "missing":
            self._structural(file, loc, f"kolom '{name}' wajib diisi")
            return
        if kind == "extra_forbidden":
            self._structural(file, loc, f"kolom '{name}' tidak dikenal (salah ketik?)")
            return
        value = error.get("input")
        if kind == "value_error":
            detail = str(ctx.get("error", error["msg"]))
        elif kind == "string_type" and value is None:
            detail = "kosong, mohon diisi"
        elif kind == "string_type":
            detail = "harus berupa teks (beri tanda petik bila perlu)"
        elif kind in {"int_type", "int_parsing", "int_from_float"}:
            detail = "harus berupa bilangan bulat"
        elif kind == "greater_than_equal":
            detail = f"paling kecil {ctx.get('ge')}"
        elif kind == "less_than_equal":
            detail = f"paling besar {ctx.get('le')}"
        elif kind == "too_short":
            detail = (
                f"terlalu sedikit ({ctx.get('actual_length')} isi, paling sedikit "
                f"{ctx.get('min_length')})"
            )
        elif kind == "too_long":
            detail = (
                f"terlalu banyak ({ctx.get('actual_length')} isi, paling banyak "
                f"{ctx.get('max_length')})"
            )
        elif kind in {"tuple_type", "list_type"}:
            detail = "harus berupa daftar (baris-baris diawali '- ')"
        elif kind in {"model_type", "model_attributes_type", "dict_type"}:
            detail = "harus berupa pasangan 'kolom: isi'"
        elif kind.startswith("date"):
            detail = f"'{value}' bukan tanggal yang sah (tulis TTTT-BB-HH, contoh 2026-12-24)"
        elif kind == "literal_error":
            detail = f"harus salah satu dari: {ctx.get('expected')}"
        elif kind == "string_pattern_mismatch":
            detail = f"'{value}' tidak sesuai pola {ctx.get('pattern')}"
        else:
            detail = f"tidak sah ({error['msg']})"
        where = _where(loc)
        self.add(file, loc, f"{where} {detail}" if where else detail)

    def _structural(self, file: SourceFile, loc: Loc, detail: str) -> None:
        where = _where(loc[:-1])
        self.add(file, loc, f"{where}: {detail}" if where else detail)
