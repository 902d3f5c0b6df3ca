"""The one tiny PNG the tests send, store and download."""

from __future__ import annotations

import struct
import zlib


def tiny_png(seed: int = 0, *, width: int = 1, height: int = 1) -> bytes:
    """A valid PNG of the given size; `seed` changes the pixels so the hash differs."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes([seed % 256, 120, 200]) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
