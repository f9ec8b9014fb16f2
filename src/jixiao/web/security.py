"""Security helpers of the web app that need no database: redirects, cookies, uploads.

- :func:`safe_next` keeps ``?next=`` to relative paths on this site (no open redirects);
- :func:`read_upload` refuses an upload that is too large (413), of a type not allowed or whose
  content does not match its extension (415), or empty, broken, or a zip archive (docx, xlsx)
  that would unzip to more than a limit (400) — each with one clear Chinese sentence.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Protocol

from fastapi import HTTPException, Request

SESSION_COOKIE = "jixiao_session"
#: the login form's CSRF token for someone without a stored session (double-submit cookie)
CSRF_COOKIE = "jixiao_csrf"
#: set while flash messages wait in the stored session: its next page reads the session from the
#: store, not from what a process kept of it a moment ago
FLASH_COOKIE = "jixiao_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

DEFAULT_ALLOWED = frozenset({".xlsx", ".docx", ".pdf", ".txt", ".md", ".html", ".yaml", ".json"})
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000

_UNSAFE_NEXT = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(value: str | None, default: str = "/") -> str:
    """``value`` when it is a path on this site ("/units/1?x=2"), else ``default``.

    Refused: absolute URLs (``https://evil.com``), scheme-relative ones (``//evil.com``), anything
    with a backslash (browsers read ``/\\evil.com`` as ``//evil.com``), whitespace or control
    characters (browsers drop tabs and newlines, turning ``/\\t/evil.com`` into ``//evil.com``).
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    if _UNSAFE_NEXT.search(value) or len(value) > 2000:
        return default
    return value


def is_https(request: Request, trust_forwarded: bool = False) -> bool:
    """Whether the browser reached us over https (``X-Forwarded-Proto`` only when trusted)."""
    if request.url.scheme == "https":
        return True
    if trust_forwarded:
        return request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"
    return False


def client_ip(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with ``--proxy-headers`` so this is the client)."""
    return (request.client.host if request.client else "") or "unknown"


# --------------------------------------------------------------------------------------------
# Uploads
# --------------------------------------------------------------------------------------------


class UploadError(HTTPException):
    """An upload refused: ``status_code`` 413 (too large), 415 (type) or 400 (empty, broken, bomb)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(status_code=status_code, detail=message)
        self.message = message


class _AsyncReadable(Protocol):
    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class Upload:
    """An accepted upload: a safe base name, its lower-case suffix, the bytes."""

    filename: str
    suffix: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


def safe_filename(name: str | None) -> str:
    """The base name only (no directories of either kind), without control characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()
    return base[:200] or "upload"


_BINARY_MAGIC = (
    b"PK\x03\x04", b"%PDF-", b"\x7fELF", b"MZ", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"GIF8", b"\xff\xd8\xff",
    b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!",
)


def sniff(data: bytes) -> str:
    """What the bytes are: 'zip', 'pdf', 'text' or 'binary'."""
    head = data[:8192]
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return "binary"
    return "text"


def _check_zip(data: bytes, suffix: str, max_unzipped: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadError(400, f"文件已损坏，无法作为 {suffix} 打开") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UploadError(400, f"文件内含 {len(infos)} 个部件，超过上限 {MAX_ZIP_ENTRIES}，拒绝处理")
    total = sum(info.file_size for info in infos)
    if total > max_unzipped:
        raise UploadError(400, f"文件解压后将达 {_human(total)}，超过上限 {_human(max_unzipped)}，"
                               "疑似压缩炸弹，拒绝处理")
    names = {info.filename for info in infos}
    part = {".docx": "word/", ".xlsx": "xl/"}[suffix]
    if "[Content_Types].xml" not in names or not any(n.startswith(part) for n in names):
        kind = "Word 文档" if suffix == ".docx" else "Excel 工作簿"
        raise UploadError(415, f"文件内容不是 {kind}（扩展名为 {suffix}）")


async def read_upload(
    file: _AsyncReadable,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allowed: Iterable[str] = DEFAULT_ALLOWED,
    *,
    max_unzipped: int = DEFAULT_MAX_UNZIPPED,
) -> Upload:
    """Read an uploaded file within limits; :class:`UploadError` (an HTTPException) when refused.

    The type is decided by the content, not only the name: a ``.docx``/``.xlsx`` must be an
    Office zip package (and its declared unzipped size at most ``max_unzipped``), a ``.pdf`` must
    start like a PDF, the text types must be text (no NUL bytes, no binary signature).
    """
    allowed_set = {s.lower() for s in allowed}
    name = safe_filename(file.filename)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in allowed_set:
        listed = "、".join(sorted(allowed_set))
        raise UploadError(415, f"不支持的文件类型“{suffix or '无扩展名'}”；可上传：{listed}")
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await file.read(1024 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise UploadError(413, f"文件太大：超过上限 {_human(max_bytes)}")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise UploadError(400, "文件为空")
    kind = sniff(data)
    if suffix in (".docx", ".xlsx"):
        if kind != "zip":
            raise UploadError(415, f"文件内容与扩展名 {suffix} 不符（不是 Office 文档）")
        _check_zip(data, suffix, max_unzipped)
    elif suffix == ".pdf":
        if kind != "pdf":
            raise UploadError(415, "文件内容与扩展名 .pdf 不符（不是 PDF 文件）")
    elif kind != "text":
        raise UploadError(415, f"文件内容与扩展名 {suffix} 不符（不是文本文件）")
    return Upload(filename=name, suffix=suffix, data=data)


# --------------------------------------------------------------------------------------------
# Request body limit (before anything is parsed or spooled to disk)
# --------------------------------------------------------------------------------------------


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse a request body larger than ``max_bytes`` (413) before it is read: by its
    Content-Length, and for bodies without one by counting while it streams in."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = None
        if length is not None and length > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0
        exceeded = False
        refused = False

        async def counting_receive() -> Any:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # a body without Content-Length (chunked) found too large while streaming in
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Any) -> None:
            # whatever the app made of the cut-off body (a form parser's 400, say), the answer is 413
            nonlocal refused
            if exceeded:
                if not refused and message["type"] == "http.response.start":
                    refused = True
                    await self._refuse(scope, send)
                return
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not refused:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Any, send: Any) -> None:
        import json

        message = f"请求太大：超过上限 {_human(self.max_bytes)}"
        accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
        path = scope.get("path", "")
        if "text/html" in accept and not path.startswith("/api"):
            body = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>文件太大</title>'
                    f'<link rel="stylesheet" href="/static/app.css"></head><body><main class="content">'
                    f'<section class="card narrow"><h1>文件太大</h1><p>{message}</p>'
                    f'<p><a href="/">返回首页</a></p></section></main></body></html>').encode()
            content_type = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"detail": message}, ensure_ascii=False).encode()
            content_type = b"application/json"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
