import { DrizzleQueryError } from "drizzle-orm/errors";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { withDeadlines } from "./deadline";
import * as schema from "./schema";
import { postgresErrorIn } from "@/lib/describe-error";
import { DATABASE_UNAVAILABLE_DIGEST, databaseUnavailableIn } from "./unavailable";

// Drizzle wraps every driver error in DrizzleQueryError, hiding DatabaseUnavailableError's digest
// from Next (which passes only an error's digest to the browser's error boundary). Give the wrapper
// that digest when its cause carries it; Next may also assign a digest of its own, kept as set.
if (!Object.getOwnPropertyDescriptor(DrizzleQueryError.prototype, "digest")) {
  Object.defineProperty(DrizzleQueryError.prototype, "digest", {
    configurable: true,
    get(this: DrizzleQueryError) {
      return databaseUnavailableIn(this.cause) ? DATABASE_UNAVAILABLE_DIGEST : undefined;
    },
    set(this: DrizzleQueryError, value: unknown) {
      Object.defineProperty(this, "digest", { value, writable: true, configurable: true, enumerable: false });
    },
  });
}

/** Stands where drizzle's error message listed the query's parameters. */
export const PARAMS_WITHHELD = "params: (withheld from logs)";

// Drizzle's message ends "params: <every parameter>", and `params` is an own enumerable property, so
// anything that prints the error whole prints them: Next does, for an error while a page renders, and
// a parameter may be a session token, a link token's hash or an email address. Drizzle assigns
// `this.query`, then `this.params`, in its constructor, before it captures the stack (whose first
// line is the message): this setter keeps the parameters on the error, unlisted, and writes the
// message again from the query alone (not by cutting at "params:", which a parameter may contain).
if (!Object.getOwnPropertyDescriptor(DrizzleQueryError.prototype, "params")) {
  Object.defineProperty(DrizzleQueryError.prototype, "params", {
    configurable: true,
    get: () => undefined,
    set(this: DrizzleQueryError, value: unknown[]) {
      Object.defineProperty(this, "params", { value, writable: true, configurable: true, enumerable: false });
      this.message = typeof this.query === "string" ? `Failed query: ${this.query}\n${PARAMS_WITHHELD}` : `Failed query\n${PARAMS_WITHHELD}`;
    },
  });
}

// Printed whole (util.inspect, as console.error and Next's render-error log do), the error would also
// print its cause, postgres.js's PostgresError, whose enumerable `detail` repeats values ("Key
// (email)=(…) already exists"), as a data exception's message does ("invalid input syntax for type
// uuid: …", class 22). So the printed form is the stack (the query, no parameters) and the cause by
// its code, constraint and, but for class 22, PostgreSQL's message ("column … does not exist").
const INSPECT = Symbol.for("nodejs.util.inspect.custom");
if (!Object.getOwnPropertyDescriptor(DrizzleQueryError.prototype, INSPECT)) {
  Object.defineProperty(DrizzleQueryError.prototype, INSPECT, {
    configurable: true,
    value(this: DrizzleQueryError) {
      return `${this.stack ?? this.message}${this.cause === undefined ? "" : `\n  [cause]: ${describeCause(this.cause)}`}`;
    },
  });
}

/** A failed query's cause in a log: never PostgreSQL's detail, nor a message that echoes a value. */
function describeCause(cause: unknown): string {
  const unavailable = databaseUnavailableIn(cause);
  if (unavailable) return unavailable.message;
  const pg = postgresErrorIn(cause);
  if (pg) {
    const constraint = pg.constraint_name ? ` (constraint ${pg.constraint_name})` : "";
    const said = !pg.code.startsWith("22") && typeof pg.message === "string" ? `: ${pg.message}` : "";
    return `PostgreSQL error ${pg.code}${constraint}${said}`;
  }
  const name = cause instanceof Error ? cause.name : typeof cause;
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === "string" ? `${name} (${code})` : name;
}

export type Database = ReturnType<typeof createDb>["db"];
/** A transaction handle; domain functions in lib/ take this so callers choose the transaction. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Anything queries can run on: the pool or a transaction. */
export type Queryable = Database | Tx;

/**
 * `DATABASE_POOLER=transaction`: DATABASE_URL goes through a pooler in transaction mode (PgBouncer),
 * where consecutive statements may run on different server connections, so a statement prepared on
 * one is unknown on the next: queries go unprepared. Read here rather than through lib/env because
 * scripts and tests connect without it; lib/env validates the value at start-up.
 */
export function behindTransactionPooler() {
  return process.env.DATABASE_POOLER === "transaction";
}

type Options = {
  max?: number;
  /**
   * Every statement (waiting for a connection included) settles within this many ms, else
   * DatabaseUnavailableError (db/deadline.ts). The server's pools pass env.dbTimeoutMs; scripts and
   * bulk jobs leave it out (their statements may legitimately run long).
   */
  timeoutMs?: number;
  /**
   * Settings every connection of the pool starts with (startup parameters), so its queries need
   * no transaction to carry them: each statement is one round trip. Never through a transaction
   * pooler (PgBouncer refuses startup parameters it does not know).
   */
  settings?: Readonly<Record<string, string>>;
};

/**
 * For short pages read in index order (the approval queue, lib/admin/queue-query.ts): no parallel
 * workers, and sorting priced out so the planner walks the (key, id) index and stops after a page.
 * Scans priced out too: by the planner's prices a few thousand people are cheaper to scan than to
 * find by the trigram indexes (users_email_trgm_idx, users_name_trgm_idx), but a requester filter's
 * two `ilike`s on every row cost 1.5 ms at 2,000 people, against 0.4 ms through the indexes for a
 * pattern as narrow as a person's name; each requester-filtered view asks twice (its page and its
 * count). Measured 2026-12-05 at 1M requests. Every queue view runs with these since 2026-12-06,
 * searches and patterns of one or two letters too (lib/admin/queue-query.ts, serial).
 */
export const INDEX_ORDER_SETTINGS = { max_parallel_workers_per_gather: "0", enable_sort: "off", enable_seqscan: "off" } as const;

/**
 * PostgreSQL's own limit on a statement, as a startup setting for a pool whose statements are all
 * short reads with a deadline of `timeoutMs`: twice it. withDeadlines (db/deadline.ts) answers the
 * caller at the deadline but leaves a statement already sent to run: at 1M requests a queue search
 * answered 500 at 1.2 s kept a backend busy for 6.1 s (adversarial review, 2026-12-07), slowing every
 * page behind it on 2 cores. Twice, so the caller is always answered first. Not for the main pool:
 * a cursor (the audit log's CSV export) is one statement for as long as its download lasts.
 */
export const statementLimit = (timeoutMs: number) => ({ statement_timeout: String(timeoutMs * 2) });

// On the pool object itself (not in a map of this module's): a dev hot reload re-evaluates this
// module while db/client.ts keeps its pools.
const SETTINGS = Symbol.for("portico.pool-settings");

/** The settings a pool's connections started with (createDb's `settings`), if `db` is such a pool. */
export function settingsOf(db: Queryable): Readonly<Record<string, string>> | undefined {
  return (db as { [SETTINGS]?: Readonly<Record<string, string>> })[SETTINGS];
}

/**
 * `DATABASE_POOLER=session` or `transaction`: a pooler stands between the app and PostgreSQL, and
 * PgBouncer refuses startup parameters it does not know, so no pool starts with `settings`.
 */
export function startupSettingsAllowed() {
  return (process.env.DATABASE_POOLER ?? "none") === "none";
}

/**
 * Drizzle sends every query it did not name (`.prepare("name")`) unprepared, and postgres.js then
 * describes a statement with parameters before it binds it: two round trips per query, each a
 * write and a wake-up on both sides. Prepared, a statement seen before on the connection is one.
 * Only without a pooler: a transaction pooler may run the next statement on another server
 * connection, and a session pooler refuses the startup parameter below.
 */
export function preparesStatements() {
  return startupSettingsAllowed();
}

/**
 * A prepared statement would be planned generically after five runs when the planner thinks that
 * no worse; every statement is planned for its own parameters instead, as an unprepared one is, so
 * preparing changes round trips and nothing about plans.
 */
const PLAN_PER_RUN = { plan_cache_mode: "force_custom_plan" } as const;

/**
 * Statements with more parameters than this go unprepared: their text varies with a list's length
 * (a bulk insert, a long `in (...)`), and each text prepared would stay on its connection for the
 * connection's life.
 */
const MAX_PREPARED_PARAMETERS = 64;

/**
 * postgres.js queues a statement that needs no describe first behind a busy connection's current
 * one (pipelining). Drizzle's statements with parameters always needed one unprepared, so none
 * queued behind them; prepared, others would. Answering false here keeps the connection out of
 * reach until the statement is done, as before: a slow query delays nobody queued behind it. (A
 * statement with no parameters, or one of the raw `sql` client's, may still be pipelined, as it
 * always could: db/deadline.ts leaves such a statement to run when it passes its deadline, and
 * never cancels it, which would hand its answer to the statement after.)
 */
const holdConnection = () => false;

type Unsafe = (query: string, args?: unknown, options?: Record<string, unknown>) => unknown;
type TxFn = (tx: unknown) => unknown;

/**
 * Whether the pool's connections really plan per run: checked once (a pooler that drops startup
 * parameters would leave prepared statements to generic plans). Until it says yes, nothing is
 * prepared; a failed check is asked again on the next statement.
 */
type PrepareVerdict = { ok: boolean | undefined; asking: boolean; ask: () => Promise<boolean> };

/** `sql` (a pool or a transaction) whose `unsafe`, as Drizzle calls it, prepares its statement. */
function preparing<T extends object>(target: T, verdict: PrepareVerdict): T {
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop);
      if (typeof value !== "function") return value;
      if (prop === "unsafe") {
        return (query: string, args?: unknown, opts?: Record<string, unknown>) => {
          if (verdict.ok === undefined && !verdict.asking) {
            verdict.asking = true;
            verdict.ask().then(
              (ok) => {
                if (!ok) console.warn("db: connections do not start with plan_cache_mode=force_custom_plan (a pooler dropping startup parameters?): statements go unprepared");
                Object.assign(verdict, { ok, asking: false });
              },
              () => Object.assign(verdict, { asking: false }),
            );
          }
          // postgres.js also takes unsafe(query, options).
          const [list, options] =
            Array.isArray(args) || args === undefined ? [args ?? [], opts ?? {}] : [[], args as Record<string, unknown>];
          const prepare = verdict.ok === true && list.length <= MAX_PREPARED_PARAMETERS;
          return (value as Unsafe).call(t, query, list, prepare ? { ...options, prepare: true, onexecute: holdConnection } : options);
        };
      }
      // Drizzle's transactions and nested transactions: their statements are prepared too.
      if (prop === "begin" || prop === "savepoint") {
        return (...args: unknown[]) => {
          const fn = args[args.length - 1] as TxFn;
          return (value as (...a: unknown[]) => unknown).call(t, ...args.slice(0, -1), (tx: object) => fn(preparing(tx, verdict)));
        };
      }
      return value;
    },
  });
}

export function createDb(url: string, options: Options = {}) {
  const timeoutMs = options.timeoutMs;
  const prepareAll = preparesStatements();
  const connection = { ...(prepareAll ? PLAN_PER_RUN : {}), ...options.settings };
  const raw = postgres(url, {
    max: options.max ?? 10,
    prepare: !behindTransactionPooler(),
    onnotice: () => {},
    // Idle connections close after 5 minutes. A database that restarts ends them itself, and the
    // next statement opens a new one. At 30 s, a person back after half a minute waited for every
    // pool's connections to be opened again: the approval queue's first page after 35 s idle took
    // about 200 ms, against 65 ms after 20 s (2026-12-06, 1M requests, three pauses of each).
    idle_timeout: 300,
    // A database host that vanished without closing them (a failover) is found by TCP keepalive:
    // probes from 20 s idle (postgres.js' default is 60), so a dead idle connection goes within
    // about 30 s, as the 30 s idle timeout used to close it, and is not the next one a pool picks.
    keep_alive: 20,
    // A server that accepts TCP but never answers the startup (frozen, overloaded) is given up on.
    connect_timeout: timeoutMs ? timeoutMs / 1000 : 10,
    // postgres.js waits up to 20 s between reconnects after repeated failures by default: a database
    // back from an outage would go unused that long. At most half a second here.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    ...(Object.keys(connection).length ? { connection } : {}),
  });
  const sql = timeoutMs ? withDeadlines(raw, { timeoutMs, key: url }) : raw;
  const verdict: PrepareVerdict = {
    ok: undefined,
    asking: false,
    ask: async () => {
      const [row] = await sql.unsafe<{ mode: string }[]>("select current_setting('plan_cache_mode') as mode");
      return row?.mode === PLAN_PER_RUN.plan_cache_mode;
    },
  };
  const db = drizzle(prepareAll ? preparing(sql, verdict) : sql, { schema, casing: "snake_case" });
  if (options.settings) Object.defineProperty(db, SETTINGS, { value: options.settings });
  return { db, sql };
}
