#!/usr/bin/env bash
# Installs the Debian packages jixiao's tests and outputs need. Safe to run again.
set -euo pipefail
# fonts-crosextra-carlito: Calibri's metrics (an xlsx's column widths are counted in its digits), so LibreOffice
# lays out a spreadsheet's columns, and so its pages, as Excel does
PKGS=(postgresql fonts-wqy-microhei fonts-crosextra-carlito libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils chromium chromium-driver)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "安装系统依赖: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
