"""Decoding a text file's bytes: BOM, UTF-16 without BOM, UTF-8 (strict, then with a few broken
bytes), GB18030, then charset-normalizer; refusing binary content. Separate from the readers
because every text format (txt, md, html) is decoded the same way before it is parsed."""

from __future__ import annotations

import codecs
import re

from jixiao.audit.document import ReadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8（带 BOM）"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def decode_text(data: bytes, name: str = "") -> tuple[str, list[str]]:
    """Decode a text file; returns the text and notes such as ``检测到编码 GB18030``."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                break
            return _check_text(text, name), [f"检测到编码 {label}"]
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
    # UTF-8 with a few broken bytes (a truncated download, one bad character): keep it as UTF-8
    # rather than decoding the whole file as mojibake in another encoding
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd") - data.count("\ufffd".encode())
    if broken <= max(1, len(lenient) // 2000) and _plausible(lenient):
        return lenient, [f"UTF-8 文本中有 {broken} 处无效字节，已替换为 \ufffd"]
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _plausible(text):
            return text, ["检测到编码 GB18030"]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 4 * 1024 * 1024]).best()
    except Exception:  # pragma: no cover - detection library failure is just "unknown"
        best = None
    if best is not None and best.encoding:
        try:
            detected: str | None = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            detected = None
        if detected is not None and _plausible(detected):
            return detected, [f"检测到编码 {best.encoding}"]
    raise ReadError(f"无法读取“{name}”：无法识别文本编码，文件可能不是文本（或已损坏）。")


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


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")


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

