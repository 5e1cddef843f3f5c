"""Image bytes for tests: real encodings made with Pillow, and a PNG whose header lies about its size."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def solid(size: tuple[int, int], colour, mode: str = "RGB", fmt: str = "PNG") -> bytes:
    return encoded(Image.new(mode, size, colour), fmt)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR claims width x height RGB pixels, with one compressed row of data: a
    decompression bomb's header without its payload (https://www.w3.org/TR/png/#11IHDR)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def decoded(png: bytes) -> Image.Image:
    """A rendered PNG as RGB pixels to look at."""
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.convert("RGB")


def near(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))
