# syntax=docker/dockerfile:1
# Portico's production image (docs/deploy.md). One image, three roles, chosen by the command:
#   web      node server.js            (default; Next standalone server, healthcheck on /api/health)
#   worker   node dist/worker.mjs      (emails, webhooks, scheduled jobs; run web with PORTICO_WORKER=off)
#   migrate  node dist/migrate.mjs     (one-shot before the web and worker start; safe to run concurrently)
# compose.yaml runs all three, two web instances and NGINX in front.

ARG NODE_VERSION=20

# ── deps: the locked dependencies, dev ones included (the build needs them) ─────────────────────────
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ── build: Next standalone output, and the worker and migration runner bundled to plain Node ───────
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# No Turbopack build cache: this stage is thrown away, so it would be written and never read.
ENV NEXT_TELEMETRY_DISABLED=1 \
    PORTICO_STANDALONE=1 \
    PORTICO_BUILD_CACHE=off
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# Catalogue pages are prerendered by `next build`, which reads a database: a throwaway embedded
# PostgreSQL with the demo data (scripts/with-db.ts), deleted with this layer's temporary files.
# No instance serves those pages as they are: each expires the catalogue pages when its change
# listener connects to the real database (lib/coherence/changes.ts → lib/coherence/next-tags.ts).
RUN npx tsx scripts/with-db.ts --data /tmp/build-pg --fresh -- npx next build \
 && rm -rf /tmp/build-pg /tmp/auth-secret
RUN npm run -s build:scripts

# ── runner: non-root, only what runs ──────────────────────────────────────────────────────────────
FROM node:${NODE_VERSION}-bookworm-slim AS runner
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/drizzle ./drizzle
# The image's own user (uid 1000), never root; it owns /app/.next so pages regenerate in place.
USER node
# 3000: the portal; 3001: the dedicated verify listener for gateways (PORTICO_VERIFY_PORT=3001).
EXPOSE 3000 3001
# Liveness only (no database): an outage there must not get every instance restarted.
# Readiness for a load balancer or orchestrator is GET /api/ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
