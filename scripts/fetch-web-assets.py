"""Put the browser libraries the web app serves (ECharts, htmx, Swagger UI for ``/docs``) into
src/jixiao/web/static/vendor/.

They come from the npm registry at exactly the versions and sha512 digests of package-lock.json,
fetched with Python alone (no Node.js or npm needed): each package's tarball is downloaded,
checked against its lock-file integrity, and the files the app serves are taken out of it.

    python3 scripts/fetch-web-assets.py            # NPM_REGISTRY overrides https://registry.npmjs.org
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "jixiao" / "web" / "static" / "vendor"
#: package → the files of its tarball the app serves
FILES = {
    "echarts": ("package/dist/echarts.min.js",),
    "htmx.org": ("package/dist/htmx.min.js",),
    "swagger-ui-dist": ("package/swagger-ui-bundle.js", "package/swagger-ui.css"),
}


def tarball_url(registry: str, name: str, version: str) -> str:
    base = name.split("/")[-1]
    return f"{registry.rstrip('/')}/{name}/-/{base}-{version}.tgz"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return bytes(response.read())


def check_integrity(data: bytes, integrity: str, name: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{name}：下载的文件与 package-lock.json 的校验值不符（{integrity}），已停止")


def main() -> int:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    registry = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org")
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name, members in FILES.items():
        entry = lock["packages"][f"node_modules/{name}"]
        url = entry.get("resolved") or tarball_url(registry, name, entry["version"])
        try:
            data = fetch(url)
        except OSError as exc:
            print(f"无法下载 {name} {entry['version']}（{url}）：{exc}", file=sys.stderr)
            return 1
        check_integrity(data, entry["integrity"], name)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in members:
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise SystemExit(f"{name} 的压缩包中没有 {member}")
                (VENDOR / Path(member).name).write_bytes(extracted.read())
                print(f"{name} {entry['version']} → {VENDOR / Path(member).name}")
    (VENDOR / ".installed").touch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
