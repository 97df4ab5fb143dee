#!/usr/bin/env bash
# `npm start`: builds the extension and opens a real VS Code with it loaded. Desktop `code` when
# it is on PATH; otherwise code-server on 127.0.0.1 (installed into a cache on first use).
# The model comes from settings, or from SOVEREIGN_MODEL=/path/to/model.gguf.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/node-llama-cpp ]; then npm ci --no-audit --no-fund; fi
node esbuild.js
folder="${1:-$PWD}"
if command -v code >/dev/null 2>&1; then
  exec code --extensionDevelopmentPath="$PWD" "$folder"
fi
SOVEREIGN_NEEDS_BROWSER=0 bash test/harness/setup.sh
exec npx tsx scripts/startCodeServer.ts "$folder"
