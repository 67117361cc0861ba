#!/usr/bin/env bash
# Everything CI runs: lint, types, unit + integration tests on a real Postgres, a production build,
# and the browser tests against it. Uses the embedded Postgres unless DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser tests run Debian's chromium-headless-shell, or its chromium (playwright.config.ts).
if [ -n "${CHROMIUM_PATH:-}" ] && [ ! -x "$CHROMIUM_PATH" ]; then
  echo "CHROMIUM_PATH is $CHROMIUM_PATH, which is not an executable." >&2
  exit 1
fi
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium-headless-shell ] \
  && [ ! -x /usr/bin/chromium ]; then
  echo "Chromium not found. Install it (Debian: apt-get install chromium-headless-shell)" \
    "or set CHROMIUM_PATH." >&2
  exit 1
fi

stage() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
start=$(date +%s)

stage "lint and typecheck (side by side: each uses one core)"
logs=$(mktemp -d)
npx eslint . > "$logs/lint" 2>&1 & lint=$!
npm run -s typecheck > "$logs/typecheck" 2>&1 & types=$!
# Stopped (Ctrl-C, a CI timeout): stop both and leave no logs behind.
trap 'kill "$lint" "$types" 2>/dev/null; rm -rf "$logs"' EXIT
lint_status=0 types_status=0
wait "$lint" || lint_status=$?
wait "$types" || types_status=$?
cat "$logs/lint" "$logs/typecheck"
trap - EXIT
rm -rf "$logs"
[ "$lint_status" = 0 ] || echo "lint failed (exit $lint_status, above)" >&2
[ "$types_status" = 0 ] || echo "typecheck failed (exit $types_status, above)" >&2
[ "$lint_status" = 0 ] && [ "$types_status" = 0 ] || exit 1
stage "browser test files load (Playwright --list)"
# Specs import lib/ code through Playwright's own loader; a module it cannot resolve fails here in
# seconds rather than after the build. Listing runs no test: the specs' database handles (e2e/db.ts)
# are made but never connect, so placeholders stand in for the e2e database that does not exist yet.
DATABASE_URL=postgres://list-only@127.0.0.1:1/none AUTH_SECRET=list-only-placeholder npx playwright test --list > /dev/null
stage "unit + integration tests (Vitest, real PostgreSQL)"
npx vitest run
stage "production build"
# Catalogue pages are prerendered, so the build reads the (fresh, seeded) e2e database. Next keeps
# its data cache in .next/cache across builds; start clean so no page carries an old database's ids.
# No build cache: written into a clean .next it is never read, and writing it took 16 s (next.config.mjs).
rm -rf .next
PORTICO_BUILD_CACHE=off npx tsx scripts/with-db.ts --data .data/e2e-pg --fresh -- npx next build
stage "browser tests (Playwright, Chromium, next start)"
npx playwright test

echo
echo "All stages passed in $(( $(date +%s) - start ))s."
