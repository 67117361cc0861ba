import { AsyncLocalStorage } from "node:async_hooks";
import type { Sql } from "postgres";
import { DatabaseUnavailableError, isUnreachableError } from "./unavailable";

/**
 * postgres.js has a connect timeout but no client-side query timeout: against a frozen server
 * (SIGSTOP, a blocked port: the TCP connection stays up, nothing answers) every query waits for
 * ever. `withDeadlines` wraps a client so that every statement — waiting for a pool connection
 * included — settles within a deadline, with DatabaseUnavailableError.
 *
 * What a late answer may still do:
 * - a statement still waiting for a connection runs `select 1` instead when its turn comes;
 * - inside a transaction the caller's callback fails at once and the transaction rolls back; a
 *   callback that had not started yet (waiting for a connection) never runs;
 * - a COMMIT, or a write outside a transaction that was already sent, may still take effect when
 *   the server wakes up: its error says `outcomeUnknown`.
 * After a deadline passes, later statements get the short `failingMs` deadline until one succeeds,
 * so a page that asks several times answers within one deadline, and a recovery is seen by the
 * first statement that gets through.
 */
export type DeadlineOptions = {
  /** Per statement, from the moment it is started: waiting for a connection and running. */
  timeoutMs: number;
  /** Per statement while the database is failing (the last statement timed out or could not connect). */
  failingMs?: number;
  /** One health record per database: pools of the same process learn from each other. */
  key: string;
};

type PgQuery = Promise<unknown> & {
  handle: () => Promise<void>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  cancel: () => Promise<void> | undefined;
  state: unknown;
  active: boolean;
  strings: readonly string[];
  args: unknown[];
  tagged: boolean;
  options: Record<string, unknown>;
  cursorFn?: unknown;
  forEachFn?: unknown;
  onlyDescribe?: boolean;
};

type Health = { failingSince: number | null };

type Scope = {
  deadline: () => number;
  health: Health;
  /** false inside a transaction: a statement there commits nothing by itself. */
  autocommit: boolean;
  /** A statement of the transaction passed its deadline: fail the whole transaction now. */
  onExpire?: (error: DatabaseUnavailableError) => void;
  /** The transaction's caller was already told it failed: a savepoint's callback must not start. */
  failed?: () => DatabaseUnavailableError | null;
};

const writes = new AsyncLocalStorage<{ wrote: boolean }>();

/**
 * Runs `fn` noting in `state.wrote` whether anything may have been written: a transaction that
 * committed, or a write outside one that succeeded. Lets a caller say "nothing was changed" only
 * when that is true.
 */
export function trackWrites<T>(state: { wrote: boolean }, fn: () => Promise<T>): Promise<T> {
  return writes.run(state, fn);
}

function healthOf(key: string): Health {
  const g = globalThis as unknown as { porticoDatabaseHealth?: Map<string, Health> };
  g.porticoDatabaseHealth ??= new Map();
  let health = g.porticoDatabaseHealth.get(key);
  if (!health) g.porticoDatabaseHealth.set(key, (health = { failingSince: null }));
  return health;
}

/** Whether the last statement on this database failed for want of an answer (for /api/ready-style checks). */
export function databaseFailingSince(key: string): number | null {
  return healthOf(key).failingSince;
}

export function withDeadlines<T extends Sql>(sql: T, opts: DeadlineOptions): T {
  const health = healthOf(opts.key);
  const failingMs = Math.min(opts.failingMs ?? 250, opts.timeoutMs);
  const deadline = () => (health.failingSince === null ? opts.timeoutMs : failingMs);
  return wrap(sql, { deadline, health, autocommit: true });
}

/**
 * Timers run before the event loop reads sockets: after a long synchronous stretch (a busy
 * render) an answer that already arrived would lose to its deadline. Decide after the pending
 * reads instead (setImmediate runs after the poll phase).
 */
const afterPendingIo = (fn: () => void) => setImmediate(fn);

const isQuery = (x: unknown): x is PgQuery =>
  x instanceof Promise && typeof (x as PgQuery).handle === "function" && typeof (x as PgQuery).cancel === "function";

/** A statement that can change data by itself when it runs outside a transaction. */
const isWrite = (q: PgQuery) => !/^\s*(select|show|values)\b/i.test(q.strings?.[0] ?? "");

function wrap<T extends object>(target: T, scope: Scope): T {
  return new Proxy(target, {
    apply(t, thisArg, args) {
      const result: unknown = Reflect.apply(t as (...a: unknown[]) => unknown, thisArg, args);
      return isQuery(result) ? arm(result, scope) : result;
    },
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop);
      if (typeof value !== "function") return value;
      const fn = value as (...a: unknown[]) => unknown;
      if (prop === "unsafe" || prop === "file") {
        return (...args: unknown[]) => {
          const result = fn.apply(t, args);
          return isQuery(result) ? arm(result, scope) : result;
        };
      }
      if (prop === "begin") return (...args: unknown[]) => begin(fn, t, args, scope);
      if (prop === "savepoint") return (...args: unknown[]) => savepoint(fn, t, args, scope);
      return value;
    },
  });
}

function arm(q: PgQuery, scope: Scope): PgQuery {
  const store = writes.getStore();
  const { resolve, reject, handle } = q;
  let started = false;
  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  q.resolve = (value) => {
    if (!settled) {
      settled = true;
      clearTimeout(timer);
      scope.health.failingSince = null;
      if (store && scope.autocommit && isWrite(q)) store.wrote = true;
    }
    resolve(withoutLeadingHoles(value));
  };
  q.reject = (error) => {
    if (settled) return reject(error);
    settled = true;
    clearTimeout(timer);
    if (!isUnreachableError(error)) return reject(error);
    scope.health.failingSince ??= Date.now();
    const code = String((error as { code?: unknown }).code);
    // sent (it has a connection's state) and able to write by itself: it may have run
    const outcomeUnknown = scope.autocommit && q.state != null && isWrite(q);
    reject(new DatabaseUnavailableError(code, { outcomeUnknown, cause: error }));
  };
  q.handle = () => {
    // A cursor or forEach streams for as long as it has rows: its reader bounds it, not a deadline.
    if (!started && !q.cursorFn && !q.forEachFn) {
      started = true;
      const ms = scope.deadline();
      timer = setTimeout(() => afterPendingIo(() => expire(ms)), ms);
      timer.unref?.();
    }
    return handle.call(q);
  };

  function expire(ms: number) {
    if (settled) return;
    settled = true;
    const sent = q.state != null;
    scope.health.failingSince ??= Date.now();
    const error = new DatabaseUnavailableError(`no answer within ${ms} ms`, { outcomeUnknown: scope.autocommit && sent && isWrite(q) });
    reject(error);
    if (!sent) {
      // Never sent: when its turn comes it runs `select 1` instead, so it changes nothing. (Not
      // postgres.js's cancel(): a cancelled query that was a new connection's first leaves that
      // connection out of the pool for good once it connects.)
      q.strings = ["select 1"];
      q.args = [];
      q.tagged = false;
      q.options = { ...q.options, simple: true, prepare: false };
      // `.describe()` expects a describe's answer, and would write one Sync too many for `select 1`
      q.onlyDescribe = false;
    }
    // A statement already sent is left to run, whether it is running or waiting behind another on
    // its connection; its late answer settles nothing, and the connection is free once the server
    // has answered. Never postgres.js's cancel() here: for a statement sent behind another,
    // postgres.js 3.4 skips it while the server still answers it, so each later answer on that
    // connection would go to the statement after (db/deadline.test.ts, "queued behind a slow one").
    scope.onExpire?.(error);
  }
  return q;
}

type TxFn = (tx: unknown) => unknown;

/**
 * postgres.js 3.4 does not reset its row counter when a statement fails after some rows
 * (porsager/postgres#1181): the next statement on that connection gets as many empty slots before
 * its own rows, and `const [row] = …` reads nothing. The rows themselves are right: drop the slots.
 */
function withoutLeadingHoles(value: unknown) {
  if (!Array.isArray(value) || value.length === 0 || 0 in value) return value;
  let holes = 0;
  while (holes < value.length && !(holes in value)) holes++;
  value.splice(0, holes);
  return value;
}

function begin(original: (...a: unknown[]) => unknown, sql: object, args: unknown[], scope: Scope) {
  const [options, fn] = (args.length === 1 ? ["", args[0]] : args) as [string, TxFn];
  const store = writes.getStore();
  let failure: DatabaseUnavailableError | null = null;
  let failOuter: (error: DatabaseUnavailableError) => void = () => {};
  const failed = new Promise<never>((_resolve, reject) => {
    failOuter = reject;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fail = (expired: DatabaseUnavailableError) => {
    if (failure) return;
    // A statement sent but not awaited may pass its deadline after COMMIT was sent behind it:
    // whether the transaction took effect is then unknown, whatever the statement's own error says.
    const error = committing && !expired.outcomeUnknown ? new DatabaseUnavailableError("no answer while committing", { outcomeUnknown: true, cause: expired }) : expired;
    failure = error;
    clearTimeout(timer);
    scope.health.failingSince ??= Date.now();
    failOuter(error);
  };
  // A deadline decided after the pending reads counts only if its phase is still the current one.
  let current = 0;
  const endPhase = () => {
    clearTimeout(timer);
    current++;
  };
  const phase = (outcomeUnknown: boolean) => {
    const ms = scope.deadline();
    const id = ++current;
    const expired = () => {
      if (id === current) fail(new DatabaseUnavailableError(`no answer within ${ms} ms`, { outcomeUnknown }));
    };
    timer = setTimeout(() => afterPendingIo(expired), ms);
    timer.unref?.();
  };
  let committing = false;
  // Waiting for a connection and BEGIN.
  phase(false);
  const inner = (original.call(sql, options, async (tx: object) => {
    endPhase();
    // The caller was already told it failed: run nothing, roll back.
    if (failure) throw failure;
    const returned = await fn(wrap(tx, { ...scope, autocommit: false, onExpire: fail, failed: () => failure }));
    // postgres.js runs an array of queries returned by the callback; so does this wrapper
    const result = Array.isArray(returned) ? await Promise.all(returned) : returned;
    if (failure) throw failure;
    committing = true;
    phase(true);
    return result;
  }) as Promise<unknown>).then(
    (result) => {
      endPhase();
      if (failure) throw failure;
      scope.health.failingSince = null;
      if (store) store.wrote = true;
      return result;
    },
    (error: unknown) => {
      endPhase();
      if (failure) throw failure;
      if (isUnreachableError(error)) {
        scope.health.failingSince ??= Date.now();
        throw new DatabaseUnavailableError(String((error as { code?: unknown }).code), { outcomeUnknown: committing, cause: error });
      }
      throw error;
    },
  );
  // The loser of the race settles later (the rollback after the server wakes): nobody waits for it.
  inner.catch(() => {});
  return Promise.race([inner, failed]);
}

function savepoint(original: (...a: unknown[]) => unknown, tx: object, args: unknown[], scope: Scope) {
  const fn = args[args.length - 1] as TxFn;
  const rest = args.slice(0, -1);
  // SAVEPOINT itself is sent by postgres.js, unwrapped: bound it here; the callback's statements are armed.
  const ms = scope.deadline();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut: DatabaseUnavailableError | null = null;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new DatabaseUnavailableError(`no answer within ${ms} ms`);
      timedOut = error;
      scope.onExpire?.(error);
      reject(error);
    }, ms);
    timer.unref?.();
  });
  late.catch(() => {});
  const run = original.call(tx, ...rest, (sp: object) => {
    clearTimeout(timer);
    // SAVEPOINT answered after its caller (and the transaction's) gave up: by now the transaction
    // may have rolled back and freed its connection, and these statements would commit alone.
    const failed = timedOut ?? scope.failed?.();
    if (failed) throw failed;
    return fn(wrap(sp, scope));
  }) as Promise<unknown>;
  run.catch(() => {});
  return Promise.race([run, late]).finally(() => clearTimeout(timer));
}
