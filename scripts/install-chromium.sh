#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/browser) when /usr/bin/chromium is
# missing. playwright-core drives it; no browser is ever downloaded by npm or Playwright.
# Runs as root (CI containers) or with sudo when available.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already at /usr/bin/chromium"
  exit 0
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
    echo "install-chromium: /usr/bin/chromium is missing and this is not root (no sudo): run 'apt-get install chromium' as root" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: /usr/bin/chromium is missing and there is no apt-get: install Chromium by hand (or set PURE_RAFT_CHROMIUM to its path)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq chromium >/dev/null
echo "install-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
