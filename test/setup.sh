#!/usr/bin/env bash
# Everything the four test layers need on a fresh machine: npm packages, chromium and code-server
# (cached outside the clone), and the generated test models (checked by sha256).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/node-llama-cpp ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash test/harness/setup.sh
npx tsx test/models/make.ts
