import { Client } from "pg";
import { describeError } from "@/lib/describe-error";

/**
 * Many instances, one truth. Every committed change to a table a cache depends on sends
 * `NOTIFY portico_changes '<table>'` (triggers, drizzle/0020_change_notifications.sql). Each instance
 * keeps one connection that LISTENs, and tells its caches which table changed: the catalogue pages
 * (lib/coherence/next-tags.ts) and verify's key lookups (lib/keys/lookup-cache.ts).
 *
 * A notification missed is a cache served stale, so the connection is watched: it answers a
 * heartbeat every `heartbeatMs` or, after `lostAfterMs` without an answer (database frozen, network
 * cut, connection closed), counts as lost. While lost, `live()` is false and caches answer from the
 * database; on the way back, subscribers hear "*" (anything may have changed meanwhile).
 */
export const CHANGES_CHANNEL = "portico_changes";

/** Tables the catalogue pages, and the brand every page shows, are built from. */
export const CATALOGUE_TABLES: ReadonlySet<string> = new Set(["products", "plans", "product_plans", "portal_branding"]);
/** Tables a verify answer is built from (lib/keys/verify-key.ts lookupKey). */
export const KEY_TABLES: ReadonlySet<string> = new Set([
  "api_keys",
  "access_requests",
  "access_request_products",
  "apps",
  "products",
  "oauth_clients",
  "oauth_signing_keys",
  "oauth_jtis",
]);

/** A table name, or "*": the listener was (re)connected or lost, so anything may have changed. */
export type Change = string;

export type ChangeListener = {
  /** Listening, and the database answered within `lostAfterMs`: a cache may answer without it. */
  live(): boolean;
  /**
   * Moves on every change heard and every loss or regain. A cache keeps a lookup only if the
   * generation did not move while the lookup ran (a change may have landed in between).
   */
  generation(): number;
  /** Calls `fn` for every change; returns the unsubscribe. */
  subscribe(fn: (change: Change) => void): () => void;
  /** Resolves once listening (the first time), or after `timeoutMs` with false. */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
};

export type ChangeListenerOptions = {
  /** How often the connection is asked for a sign of life. */
  heartbeatMs?: number;
  /** How long without an answer before the connection counts as lost. */
  lostAfterMs?: number;
  /** Wait before each reconnect attempt. */
  reconnectMs?: number;
  /** Logs losses and regains (never a notification's payload: table names only, but still quiet). */
  log?: (message: string) => void;
};

const now = () => performance.now();

/**
 * Asked after LISTEN and as the heartbeat: which session answers, and does it listen? Behind a
 * transaction-mode pooler (PgBouncer) each statement may run on another session, so the LISTEN is
 * left on one the pooler hands to others, and nothing is heard while every heartbeat answers.
 */
const SESSION_CHECK = `select pg_backend_pid() as pid, '${CHANGES_CHANNEL}' = any(array(select pg_listening_channels())) as listening`;
type SessionCheck = { pid: number; listening: boolean };
const MISROUTED =
  "the notification connection does not stay on one database session (a transaction-mode pooler such as PgBouncer?): set DATABASE_DIRECT_URL to the database itself";

/** pg's client has no "abandon": a frozen server never answers its goodbye, so the socket is cut. */
function abandon(client: Client) {
  client.removeAllListeners();
  client.on("error", () => {});
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  client.end().catch(() => {});
}

export function listenForChanges(connectionString: string, opts: ChangeListenerOptions = {}): ChangeListener {
  const heartbeatMs = opts.heartbeatMs ?? 250;
  const lostAfterMs = opts.lostAfterMs ?? 1000;
  const reconnectMs = opts.reconnectMs ?? 250;
  const log = opts.log ?? ((message: string) => console.error(`[changes] ${message}`));

  const subscribers = new Set<(change: Change) => void>();
  let client: Client | undefined;
  let listening = false;
  let lastHeard = 0;
  let generation = 0;
  let closed = false;
  let beating = false;
  let timer: NodeJS.Timeout | undefined;
  let everListened = false;
  let lostSince: number | undefined;
  const waiting = new Set<(ok: boolean) => void>();

  const emit = (change: Change) => {
    generation++;
    for (const fn of subscribers) {
      try {
        fn(change);
      } catch (error) {
        log(`a subscriber failed on "${change}": ${describeError(error)}`);
      }
    }
  };

  const schedule = (fn: () => void, ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
    timer.unref();
  };

  let sessionPid: number | undefined;
  let toldMisrouted = false;
  const lose = (c: Client, why: string, retryMs = reconnectMs) => {
    if (client !== c) return;
    client = undefined;
    abandon(c);
    if (listening) {
      listening = false;
      lostSince = now();
      log(`lost the change notifications (${why}); caches answer from the database until they are back`);
      emit("*");
    }
    if (!closed) schedule(connect, retryMs);
  };
  // Not a connection that can hear anything: never live, told once, tried again now and then.
  const misrouted = (c: Client) => {
    if (!toldMisrouted) log(`${MISROUTED}; caches answer from the database until then`);
    toldMisrouted = true;
    lose(c, MISROUTED, Math.max(reconnectMs, 5000));
  };

  let askedAt = 0;
  const beat = () => {
    const c = client;
    if (!c || !listening || closed) return;
    if (beating && now() - askedAt > lostAfterMs) {
      // Unanswered for lostAfterMs, or this timer ran late because the process was busy and the
      // answer waits unread in the socket: give the socket one turn before dropping a healthy
      // connection (caches are off meanwhile all the same: live() counts from lastHeard).
      setImmediate(() => {
        if (client !== c || !listening || closed) return;
        if (beating && now() - askedAt > lostAfterMs) lose(c, `no answer for ${lostAfterMs} ms`);
        else beat();
      });
      return;
    }
    if (!beating) {
      beating = true;
      // An answer proves the connection was alive (and every notification committed before it was
      // on its way) when the question was SENT, not when the answer was read: a slow link or a
      // late event loop must not stretch the time a cache may answer on its own.
      const asked = (askedAt = now());
      c.query<SessionCheck>(SESSION_CHECK).then(
        ({ rows: [session] }) => {
          if (client !== c) return;
          if (!session?.listening || session.pid !== sessionPid) return misrouted(c);
          lastHeard = Math.max(lastHeard, asked);
        },
        (error: unknown) => lose(c, describeError(error)),
      ).finally(() => {
        beating = false;
      });
    }
    schedule(beat, heartbeatMs);
  };

  const connect = () => {
    if (closed) return;
    const c = new Client({ connectionString, connectionTimeoutMillis: lostAfterMs, keepAlive: true, application_name: "portico-changes" });
    client = c;
    c.on("error", (error) => lose(c, describeError(error)));
    c.on("end", () => lose(c, "the connection closed"));
    c.on("notification", (message) => {
      // Not a sign of life: a notification says nothing about when it was sent.
      if (client !== c || message.channel !== CHANGES_CHANNEL) return;
      emit(message.payload || "*");
    });
    beating = true;
    let listenAskedAt = 0;
    const deadline = setTimeout(() => lose(c, `no answer for ${lostAfterMs} ms while connecting`), lostAfterMs);
    c.connect()
      .then(() => {
        listenAskedAt = now();
        return c.query(`LISTEN ${CHANGES_CHANNEL}`);
      })
      .then(() => c.query<SessionCheck>(SESSION_CHECK))
      .then(
        ({ rows: [session] }) => {
          clearTimeout(deadline);
          beating = false;
          if (client !== c || closed) return;
          if (!session?.listening) return misrouted(c);
          sessionPid = session.pid;
          listening = true;
          lastHeard = listenAskedAt;
          if (lostSince !== undefined) log(`change notifications are back after ${Math.round(now() - lostSince)} ms`);
          lostSince = undefined;
          everListened = true;
          // Whatever changed while nobody listened was not heard: every cache starts over.
          emit("*");
          for (const resolve of waiting) resolve(true);
          waiting.clear();
          schedule(beat, heartbeatMs);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          beating = false;
          lose(c, describeError(error));
        },
      );
  };

  connect();

  return {
    live: () => listening && now() - lastHeard <= lostAfterMs,
    generation: () => generation,
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    ready(timeoutMs = 5000) {
      if (everListened) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => {
          waiting.delete(resolve);
          resolve(false);
        }, timeoutMs);
        t.unref();
        waiting.add((ok) => {
          clearTimeout(t);
          resolve(ok);
        });
      });
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      listening = false;
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners();
        c.on("error", () => {});
        await Promise.race([c.end().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
        abandon(c);
      }
      for (const resolve of waiting) resolve(false);
      waiting.clear();
    },
  };
}

/**
 * The process's listener (started by instrumentation-node.ts in the Next server), on globalThis so
 * the route handlers, the verify listener and the cache hooks share one connection.
 */
export function processChanges(): ChangeListener | undefined {
  return (globalThis as unknown as { porticoChanges?: ChangeListener }).porticoChanges;
}

export function startProcessChanges(connectionString: string, opts?: ChangeListenerOptions): ChangeListener {
  const g = globalThis as unknown as { porticoChanges?: ChangeListener };
  g.porticoChanges ??= listenForChanges(connectionString, opts);
  return g.porticoChanges;
}
