import { migrations as workerMigrations } from "graphile-worker/dist/generated/sql";
import type { Sql, TransactionSql } from "postgres";
import journal from "@/drizzle/meta/_journal.json";
import { describeError } from "@/lib/describe-error";

/** How long /api/ready waits for PostgreSQL before it answers 503. */
export const READY_DEADLINE_MS = 2000;

type Check = { status: "ok" | "failing" | "unknown"; message?: string } & Record<string, unknown>;
export type Readiness = { status: "ok" | "unavailable"; checks: { database: Check; migrations: Check; jobQueue: Check } };

/** The migrations this build was made with: drizzle records each by its journal timestamp (`when`). */
const EXPECTED = journal.entries.map((e) => ({ tag: e.tag, when: e.when }));
/** graphile-worker's newest schema migration in the installed package ("000019.sql" → 19). */
const WORKER_LATEST = Math.max(...Object.keys(workerMigrations).map((f) => Number.parseInt(f, 10)));

const unknown: Check = { status: "unknown", message: "Not checked: the database did not answer." };

/**
 * Whether this instance can serve: PostgreSQL answers within the deadline, every migration this
 * build knows is applied (drizzle.__drizzle_migrations against drizzle/meta/_journal.json), and
 * graphile-worker's schema is installed. Migrations a newer build applied are fine (rolling deploys).
 * Says what is wrong in words an operator can act on; never a connection string or a query's values.
 */
export async function readiness(sql: Sql | TransactionSql, opts: { deadlineMs?: number } = {}): Promise<Readiness> {
  const deadlineMs = opts.deadlineMs ?? READY_DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), deadlineMs);
  });
  const started = Date.now();
  try {
    const answer = await Promise.race([inspect(sql), late]);
    if (answer === "late") {
      return unavailable({ status: "failing", message: `PostgreSQL did not answer within ${deadlineMs} ms.` });
    }
    if ("error" in answer) {
      const message = answer.error.startsWith("database error")
        ? `PostgreSQL refused the check (${answer.error}): check DATABASE_URL's user and database.`
        : `PostgreSQL could not be reached (${answer.error}).`;
      return unavailable({ status: "failing", message });
    }
    const database: Check = { status: "ok", ms: Date.now() - started };
    const checks = { database, migrations: migrationsCheck(answer.applied), jobQueue: jobQueueCheck(answer.workerLatest) };
    const ok = Object.values(checks).every((c) => c.status === "ok");
    return { status: ok ? "ok" : "unavailable", checks };
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(database: Check): Readiness {
  return { status: "unavailable", checks: { database, migrations: unknown, jobQueue: unknown } };
}

async function inspect(sql: Sql | TransactionSql): Promise<{ applied: number[] | null; workerLatest: number | null } | { error: string }> {
  try {
    const [tables] = await sql<{ drizzle: boolean; worker: boolean }[]>`
      select to_regclass('drizzle.__drizzle_migrations') is not null as drizzle,
             to_regclass('graphile_worker.migrations') is not null as worker`;
    const applied = tables?.drizzle
      ? (await sql<{ when: string }[]>`select created_at::text as when from drizzle.__drizzle_migrations`).map((r) => Number(r.when))
      : null;
    const workerLatest = tables?.worker
      ? ((await sql<{ id: number | null }[]>`select max(id)::int as id from graphile_worker.migrations`)[0]?.id ?? null)
      : null;
    return { applied, workerLatest };
  } catch (error) {
    // A connection error's message names the database's address: only its code is told.
    const code = (error as { code?: unknown } | null)?.code;
    const pg = describeError(error);
    return { error: pg.startsWith("database error") ? pg : typeof code === "string" ? code : "no connection" };
  }
}

function migrationsCheck(applied: number[] | null): Check {
  if (applied === null) {
    return { status: "failing", message: "No migrations are applied. Run `npm run db:migrate` (the compose `migrate` service).", expected: EXPECTED.length, applied: 0 };
  }
  const done = new Set(applied);
  const missing = EXPECTED.filter((m) => !done.has(m.when)).map((m) => m.tag);
  if (missing.length > 0) {
    return {
      status: "failing",
      message: `${missing.length} migration(s) of this build are not applied. Run \`npm run db:migrate\` (the compose \`migrate\` service).`,
      expected: EXPECTED.length,
      applied: EXPECTED.length - missing.length,
      missing,
    };
  }
  return { status: "ok", expected: EXPECTED.length, applied: EXPECTED.length };
}

function jobQueueCheck(latest: number | null): Check {
  if (latest === null) {
    return { status: "failing", message: "The job queue's schema (graphile_worker) is missing. Run `npm run db:migrate`." };
  }
  if (latest < WORKER_LATEST) {
    return { status: "failing", message: `The job queue's schema is at migration ${latest} of ${WORKER_LATEST}. Run \`npm run db:migrate\`.` };
  }
  return { status: "ok" };
}

/** How long one probe's answer is reused: /api/ready needs no sign-in, so its cost must not grow with its callers. */
export const READY_REUSE_MS = 1000;

const shared = globalThis as unknown as { porticoReadyProbe?: { at: number; answer: Promise<Readiness> } };

/**
 * Runs `probe` for this caller, unless a probe is in flight or answered less than `reuseMs` ago: then
 * its answer is this caller's too. However often /api/ready is called (a flood, every load balancer
 * at once), PostgreSQL sees at most one probe at a time and about one a second from each instance, and
 * a backlog of probes on the probe's one connection can never push them past the deadline (a false
 * 503 that would take every instance out of rotation).
 */
export function sharedReadiness(probe: () => Promise<Readiness>, reuseMs = READY_REUSE_MS): Promise<Readiness> {
  const last = shared.porticoReadyProbe;
  if (last && Date.now() - last.at < reuseMs) return last.answer;
  const answer = probe().finally(() => {
    // reused from when it was answered, not from when it was asked
    if (shared.porticoReadyProbe?.answer === answer) shared.porticoReadyProbe = { at: Date.now(), answer };
  });
  shared.porticoReadyProbe = { at: Number.POSITIVE_INFINITY, answer };
  return answer;
}

/** The HTTP answer: 200 when ready, else 503; never cached, by the browser or any proxy. */
export function readinessResponse(result: Readiness) {
  return Response.json(result, { status: result.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
