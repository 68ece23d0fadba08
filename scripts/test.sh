#!/usr/bin/env bash
# The project's test command (`npm test`): set-up of external components, build, type-check, then every
# *.test.ts under kernel/, test/, extension/ and media/ through node's built-in test runner.
set -euo pipefail
cd "$(dirname "$0")/.."

# Idempotent set-up steps (Debian packages, browsers, ...). Each installs what is missing; under CI=true a
# component that cannot be installed is a failure, not a skip.
for setup in scripts/setup/*.sh; do
  [ -e "$setup" ] || continue
  echo "[test] set-up: $setup"
  bash "$setup"
done

echo "[test] build"
npm run --silent build
echo "[test] type-check tests, renderer"
npx tsc -p tsconfig.tests.json
npx tsc -p media/tsconfig.json --noEmit
npx tsc -p extension/tsconfig.json

mapfile -t files < <(find kernel/src test extension media -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
echo "[test] ${#files[@]} test files"
node --import tsx --test --test-reporter=spec "${files[@]}"
