#!/usr/bin/env bash
# Everything the test layers need on a fresh machine: npm packages, chromium and code-server
# (cached outside the clone), the generated test models (checked by sha256) and llama-server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/node-llama-cpp ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash test/harness/setup.sh
npx tsx scripts/models/make.ts
# llama-server for the server tests, built once from node-llama-cpp's bundled llama.cpp source into
# the dev cache (idempotent; several minutes on 2 cores the first time).
npx tsx bench/llamaServer.ts
