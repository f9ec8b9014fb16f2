"""Decoding a text file's bytes: BOM, UTF-16 without BOM, UTF-8 (strict, then with a few broken
bytes), GB18030, then charset-normalizer; refusing binary content. Separate from the readers
because every text format (txt, md, html) is decoded the same way before it is parsed."""

from __future__ import annotations

import codecs
import re
from typing import Final

from jixiao.audit.document import ReadError

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8（带 BOM）"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def decode_text(data: bytes, name: str = "") -> tuple[str, list[str]]:
    """Decode a text file; returns the text and notes such as ``检测到编码 GB18030``.

    The encodings are tried in order of certainty: a BOM, UTF-16 recognised by its NUL bytes,
    strict UTF-8; then, for text that is none of these, the guesses (UTF-8 with a few broken
    bytes, GB18030, charset-normalizer), each taken only when the result is plausible text.
    """
    found = _by_bom(data, name)
    if found is not None:
        return found
    if not data:
        return "", []
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return _check_text(utf16[0], name), [f"检测到编码 {utf16[1]}（无 BOM）"]
    try:
        return _check_text(data.decode("utf-8"), name), []
    except UnicodeDecodeError:
        pass
    found = _lenient_utf8(data) or _gb18030(data) or _detected(data)
    if found is not None:
        return found
    raise ReadError(f"无法读取“{name}”：无法识别文本编码，文件可能不是文本（或已损坏）。")


def _by_bom(data: bytes, name: str) -> tuple[str, list[str]] | None:
    """Text that starts with a byte order mark (None also when it does not decode as that)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return _check_text(text, name), [f"检测到编码 {label}"]
    return None


def _lenient_utf8(data: bytes) -> tuple[str, list[str]] | None:
    """UTF-8 with a few broken bytes (a truncated download, one bad character): kept as UTF-8
    rather than decoding the whole file as mojibake in another encoding."""
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd") - data.count("\ufffd".encode())
    if broken <= max(1, len(lenient) // 2000) and _plausible(lenient):
        return lenient, [f"UTF-8 文本中有 {broken} 处无效字节，已替换为 \ufffd"]
    return None


def _gb18030(data: bytes) -> tuple[str, list[str]] | None:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return (text, ["检测到编码 GB18030"]) if _plausible(text) else None


def _detected(data: bytes) -> tuple[str, list[str]] | None:
    """The encoding charset-normalizer finds (imported only for such files)."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 4 * 1024 * 1024]).best()
    except Exception:  # pragma: no cover - detection library failure is just "unknown"
        best = None
    if best is None or not best.encoding:
        return None
    try:
        detected = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return (detected, [f"检测到编码 {best.encoding}"]) if _plausible(detected) else None


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    sample = data[: 1 << 16]
    pairs = len(sample) // 2
    if pairs == 0 or len(data) % 2:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    if odd > pairs * 0.1 and even < odd * 0.05:
        codec, label = "utf-16-le", "UTF-16LE"
    elif even > pairs * 0.1 and odd < even * 0.05:
        codec, label = "utf-16-be", "UTF-16BE"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return (text, label) if _plausible(text) else None


_CONTROL: Final = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")


def _plausible(text: str) -> bool:
    """Mostly printable text: few control characters, replacement or private-use characters."""
    sample = text[:200_000]
    if not sample:
        return True
    bad = len(_CONTROL.findall(sample))
    return bad <= max(2, len(sample) // 100)


def _check_text(text: str, name: str) -> str:
    if not _plausible(text):
        raise ReadError(f"无法读取“{name}”：内容含大量控制字符，不是文本文件（可能是二进制文件）。")
    return text

