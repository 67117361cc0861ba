import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Sql } from "postgres";
import { userActor } from "@/lib/auth/permissions";
import { CATALOGUE_TAG } from "@/lib/catalogue/catalogue-tag";
import { claimKey } from "@/lib/keys/claim-key";
import { randomBytes } from "node:crypto";
import { hashSecret } from "@/lib/keys/key-format";
import { importedKeysFlag } from "@/lib/keys/imported-keys";
import { cachedKeyLookup } from "@/lib/keys/lookup-cache";
import { type KeyRow, lookupKey } from "@/lib/keys/verify-key";
import { createVerifyContext } from "@/lib/keys/verify-context";
import { until } from "@/tests/changes";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest } from "@/tests/requests";
import { CATALOGUE_TABLES, type ChangeListener, KEY_TABLES, listenForChanges } from "./changes";
import { expireCatalogueOnChange } from "./next-tags";

/** Attacks on the change notifications (issue 17): each test failed before its fix. */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const owner = await f.owner();
const prefix = "ptk";

async function claimedKey() {
  const { user, request, token } = await approvedRequest({ db: t.db, f, approver: userActor(owner), baseUrl: "http://portal.test" }, { slugs: ["payments"] });
  const { plaintext, key } = await claimKey(t.db, token, user.id, { prefix });
  return { request, key: plaintext, keyId: key.id };
}

const listeners: ChangeListener[] = [];
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
});
function listen(opts?: Parameters<typeof listenForChanges>[1]) {
  const l = listenForChanges(t.url, { log: () => {}, ...opts });
  listeners.push(l);
  return l;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("catalogue pages on another instance", () => {
  it("a render that read the catalogue before a change and was stored after it was heard is expired too", async () => {
    const l = listen();
    expect(await l.ready()).toBe(true);
    const stop = expireCatalogueOnChange(l, [300]);
    // The same module Next checks a cached page against (lib/coherence/next-tags.ts).
    const load = createRequire(path.join(process.cwd(), "package.json"));
    const { areTagsExpired } = load("next/dist/server/lib/incremental-cache/tags-manifest.external.js") as {
      areTagsExpired: (tags: string[], timestamp: number) => boolean;
    };
    try {
      await sleep(50);
      const heard: string[] = [];
      l.subscribe((change) => heard.push(change));
      // A render starts and reads the products; meanwhile another instance renames one …
      await t.sql`update products set name = name where false`;
      expect(await until(() => heard.includes("products"), 2000)).toBeLessThan(1000);
      await sleep(5);
      // … and the render, with the old name, is stored now: after the change was heard.
      const storedAt = Date.now();
      expect(await until(() => areTagsExpired([CATALOGUE_TAG], storedAt), 2000), "the stale render is dropped").toBeLessThan(1000);
      expect(areTagsExpired(["_N_T_/layout"], storedAt)).toBe(true);
    } finally {
      stop();
    }
  });
});

describe("the imported-keys flag", () => {
  it("an import made while the listener was away is seen within 1 s of its return", async () => {
    const l = listen({ reconnectMs: 300 });
    expect(await l.ready()).toBe(true);
    const context = createVerifyContext(t.sql, { changes: l });
    try {
      const { keyId } = await claimedKey();
      await t.sql`update api_keys set imported_at = null`;
      await context.importedKeys.refresh();
      expect(context.importedKeys.get()).toBe(false);
      await t.sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'portico-changes' and datname = current_database()`;
      expect(await until(() => !l.live(), 2000)).toBeLessThan(1000);
      // Imported while nobody listened: no notification reaches this instance.
      await t.sql`update api_keys set imported_at = now() where id = ${keyId}`;
      expect(await until(() => l.live(), 3000)).toBeLessThan(2000);
      expect(await until(() => context.importedKeys.get(), 3000), "the flag follows the '*' of the return").toBeLessThan(1000);
    } finally {
      await t.sql`update api_keys set imported_at = null`;
      await context.flush();
    }
  });

  it("a read that began before an import and ends after a newer read does not turn the flag back off", async () => {
    const { keyId } = await claimedKey();
    await t.sql`update api_keys set imported_at = null`;
    let hold: Promise<void> | undefined;
    // The real database; only the answer of the first read is held back.
    const held = ((...args: Parameters<Sql>) => {
      const h = hold;
      return (t.sql as unknown as (...a: Parameters<Sql>) => Promise<unknown>)(...args).then(async (rows) => {
        await h;
        return rows;
      });
    }) as unknown as Sql;
    const flag = importedKeysFlag(held, 60_000);
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const first = flag.refresh();
    await sleep(100);
    hold = undefined;
    try {
      await t.sql`update api_keys set imported_at = now() where id = ${keyId}`;
      // The import's notification asks again while the first read has not answered yet.
      const second = flag.refresh();
      await sleep(100);
      release();
      await Promise.all([first, second]);
      expect(flag.get(), "the older read's 'none' is not the last word").toBe(true);
    } finally {
      flag.stop();
      await t.sql`update api_keys set imported_at = null`;
    }
  });
});

/**
 * A TCP relay between a listener and Postgres that can slow the database's answers down by
 * `delayMs` and cut the link silently (nothing forwarded, nothing closed: a partition).
 */
async function relay(target: URL) {
  const state = { connections: 0, open: 0, delayMs: 0, cut: false, onAnswer: undefined as undefined | (() => void), afterAnswer: undefined as undefined | (() => void) };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(Number(target.port), target.hostname);
    sockets.add(down).add(up);
    state.connections++;
    state.open++;
    down.on("close", () => {
      state.open--;
      up.destroy();
    });
    up.on("close", () => down.destroy());
    down.on("error", () => {}).on("data", (chunk) => {
      if (!state.cut) up.write(chunk);
    });
    up.on("error", () => {}).on("data", (chunk) => {
      if (state.cut) return;
      const hook = state.afterAnswer;
      state.onAnswer?.();
      state.onAnswer = undefined;
      const forward = () => {
        if (state.cut) return;
        down.write(chunk);
        hook?.();
      };
      if (hook) state.afterAnswer = undefined;
      if (state.delayMs > 0) setTimeout(forward, state.delayMs);
      else forward();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = new URL(target);
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    state,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe("verify's key cache under a flood of unknown keys", () => {
  it("random well-formed keys do not push the keys in use out of memory", async () => {
    const l = listen();
    expect(await l.ready()).toBe(true);
    const { key } = await claimedKey();
    await sleep(200); // the claim's own notifications
    const asked = new Map<string, number>();
    const counting = (h: string): Promise<readonly KeyRow[]> => {
      asked.set(h, (asked.get(h) ?? 0) + 1);
      return lookupKey(t.sql, h);
    };
    const cache = cachedKeyLookup(counting, l, { maxEntries: 100 });
    try {
      const real = hashSecret(key);
      expect(await cache.lookup(real)).toHaveLength(1);
      // A caller sprays keys that exist nowhere, many more than the cache holds.
      for (let i = 0; i < 500; i++) {
        expect(await cache.lookup(hashSecret(`ptk_${randomBytes(24).toString("hex")}`))).toHaveLength(0);
        if (i % 50 === 0) expect(await cache.lookup(real)).toHaveLength(1);
      }
      expect(await cache.lookup(real)).toHaveLength(1);
      expect(asked.get(real), "database asks for the key in use").toBe(1);
      expect(cache.stats().entries).toBeLessThanOrEqual(100);
    } finally {
      cache.stop();
    }
  });
});

describe("the imported-keys flag with a read that never answers", () => {
  it("a silent connection does not hold the flag's later reads back", async () => {
    const { keyId } = await claimedKey();
    await t.sql`update api_keys set imported_at = null`;
    let first = true;
    let release!: () => void;
    const never = new Promise<void>((r) => (release = r));
    // The real database; the first read's answer is lost (released only when the test ends).
    const held = ((...args: Parameters<Sql>) => {
      const h = first ? never : undefined;
      first = false;
      return (t.sql as unknown as (...a: Parameters<Sql>) => Promise<unknown>)(...args).then(async (rows) => {
        await h;
        return rows;
      });
    }) as unknown as Sql;
    const flag = importedKeysFlag(held, 200);
    try {
      expect(flag.get()).toBe(false);
      await t.sql`update api_keys set imported_at = now() where id = ${keyId}`;
      void flag.refresh();
      expect(await until(() => flag.get(), 3000), "the import is seen by a later read").toBeLessThan(1000);
    } finally {
      release();
      flag.stop();
      await t.sql`update api_keys set imported_at = null`;
    }
  });
});

describe("a flood of notifications", () => {
  it("1,000 key changes in 1,000 transactions: never more than one imported-keys read at a time per instance", async () => {
    const l = listen();
    expect(await l.ready()).toBe(true);
    let reads = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    // The real database; the flag's read is made slow, as a scan of a large api_keys table is.
    const counting = new Proxy(t.sql, {
      apply(target, self, args: unknown[]) {
        const strings = args[0] as readonly string[] | undefined;
        const result = Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args);
        if (!(Array.isArray(strings) && strings.join("").includes("imported_at is not null"))) return result;
        reads++;
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        return (result as Promise<unknown>).then(async (rows) => {
          await sleep(20);
          inFlight--;
          return rows;
        });
      },
    }) as Sql;
    const context = createVerifyContext(counting, { changes: l });
    try {
      await sleep(100);
      reads = 0;
      mostInFlight = 0;
      const generation = l.generation();
      for (let i = 0; i < 1000; i++) await t.sql`update api_keys set imported_at = imported_at where false`;
      expect(await until(() => l.generation() - generation >= 1000, 5000)).toBeLessThan(5000);
      await until(() => inFlight === 0, 2000);
      expect(mostInFlight, "reads in flight at once").toBe(1);
      expect(reads).toBeLessThan(200);
    } finally {
      await context.flush();
    }
  });
});

describe("the listener's sign of life", () => {
  it("a change it cannot hear is answered from memory no later than lostAfterMs after its commit, even over a slow link", async () => {
    const link = await relay(new URL(t.url));
    const l = listenForChanges(link.url, { log: () => {}, lostAfterMs: 1000 });
    listeners.push(l);
    try {
      expect(await l.ready()).toBe(true);
      // The database's answers now take 300 ms to arrive (a busy link, or this process's event loop late).
      link.state.delayMs = 300;
      await sleep(1500);
      expect(l.live(), "a 300 ms link is still live").toBe(true);
      // The next answer on its way (a heartbeat's) is the last this listener will hear: right after
      // it is delivered the link is cut. A change is committed while it travels.
      const answered = new Promise<void>((r) => (link.state.onAnswer = r));
      link.state.afterAnswer = () => {
        link.state.cut = true;
      };
      await answered;
      await t.sql`update apps set name = name where false`;
      const stale = await until(() => !l.live(), 3000);
      expect(stale, "ms the change could be answered from memory after its commit").toBeLessThan(1050);
    } finally {
      link.close();
    }
  });
});

describe("a busy process", () => {
  it("an event loop blocked for 1.5 s turns caches off meanwhile but does not drop a healthy connection", async () => {
    const link = await relay(new URL(t.url));
    const l = listenForChanges(link.url, { log: () => {} });
    listeners.push(l);
    try {
      expect(await l.ready()).toBe(true);
      await sleep(300);
      const heard: string[] = [];
      l.subscribe((change) => heard.push(change));
      const until_ = performance.now() + 1500;
      while (performance.now() < until_) {
        // busy: no timer, no socket read
      }
      expect(l.live(), "1.5 s without reading the connection: no answers from memory").toBe(false);
      expect(await until(() => l.live(), 2000)).toBeLessThan(600);
      expect(link.state.connections, "the same connection").toBe(1);
      expect(heard, "nothing was lost, so no '*'").toEqual([]);
    } finally {
      link.close();
    }
  });
});

describe("guards", () => {
  it("every table a cache reads notifies; api_keys on every column but the two stamps", async () => {
    const triggers = await t.sql<{ table: string; columns: string[] | null }[]>`
      select c.relname as table,
        (select array_agg(a.attname::text order by a.attname) from pg_attribute a
          where a.attrelid = c.oid and a.attnum = any(tg.tgattr::int2[])) as columns
      from pg_trigger tg join pg_class c on c.oid = tg.tgrelid
      where tg.tgfoid = 'portico_notify_change'::regproc and not tg.tgisinternal`;
    const tables = new Set(triggers.map((r) => r.table));
    for (const table of [...KEY_TABLES, ...CATALOGUE_TABLES]) expect(tables, table).toContain(table);
    const columns = await t.sql<{ name: string }[]>`
      select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = 'api_keys' order by 1`;
    const watched = triggers.find((r) => r.table === "api_keys")?.columns ?? [];
    // A new api_keys column is a change to verify's answer until someone decides otherwise here.
    expect(columns.map((c) => c.name).filter((c) => !watched.includes(c))).toEqual(["expiry_warned_at", "last_used_at"]);
  });

  it("a partition (nothing answers, nothing closes) turns caches off within lostAfterMs, and its end turns them back on with '*'", async () => {
    const link = await relay(new URL(t.url));
    const l = listenForChanges(link.url, { log: () => {}, reconnectMs: 100 });
    listeners.push(l);
    try {
      expect(await l.ready()).toBe(true);
      const heard: string[] = [];
      l.subscribe((change) => heard.push(change));
      link.state.cut = true;
      // lostAfterMs, give or take this loop's polling.
      expect(await until(() => !l.live(), 2000)).toBeLessThan(1100);
      await sleep(1500);
      expect(l.live(), "no answer, no cache").toBe(false);
      link.state.cut = false;
      expect(await until(() => l.live(), 3000)).toBeLessThan(1500);
      expect(heard.filter((c) => c === "*").length).toBeGreaterThanOrEqual(2);
    } finally {
      link.close();
    }
  });

  it("close() while connecting leaves no connection behind and never reconnects", async () => {
    const link = await relay(new URL(t.url));
    try {
      const l = listenForChanges(link.url, { log: () => {}, reconnectMs: 50 });
      await sleep(1);
      await l.close();
      await sleep(500);
      expect(l.live()).toBe(false);
      expect(await l.ready(100)).toBe(false);
      expect(link.state.connections).toBeLessThanOrEqual(1);
      expect(link.state.open).toBe(0);
    } finally {
      link.close();
    }
  });
});

/** Debian's pgbouncer in transaction mode in front of the test database, or null if not installed. */
async function transactionPooler(target: URL) {
  const binary = "/usr/sbin/pgbouncer";
  if (!existsSync(binary)) return null;
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), "portico-pgbouncer-"));
  const conf = path.join(dir, "pgbouncer.ini");
  writeFileSync(
    conf,
    [
      "[databases]",
      `* = host=${target.hostname} port=${target.port} user=${decodeURIComponent(target.username)} password=${decodeURIComponent(target.password)}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = any",
      "pool_mode = transaction",
      "default_pool_size = 4",
      "ignore_startup_parameters = extra_float_digits,application_name",
    ].join("\n"),
    { mode: 0o644 },
  );
  const child = spawn(binary, ...(process.getuid?.() === 0 ? [["-u", "nobody", conf]] : [[conf]]) as [string[]], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += String(d)));
  const url = new URL(target);
  url.port = String(port);
  const started = await until(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => {
          s.destroy();
          resolve(true);
        });
        s.on("error", () => resolve(false));
      }),
    5000,
  );
  if (!Number.isFinite(started)) {
    child.kill();
    throw new Error(`pgbouncer did not start: ${stderr}`);
  }
  return { url: url.toString(), close: () => child.kill() };
}

describe("a listener behind a transaction-mode pooler", () => {
  it("never counts as live: its LISTEN does not stay on one session, so it would hear nothing", async (ctx) => {
    const pooler = await transactionPooler(new URL(t.url));
    if (!pooler) return ctx.skip("Debian's pgbouncer is not installed (/usr/sbin/pgbouncer)");
    const logged: string[] = [];
    const l = listenForChanges(pooler.url, { log: (m) => logged.push(m), reconnectMs: 200 });
    listeners.push(l);
    // Other clients keep the pooler's server connections busy, as in production.
    const { default: postgres } = await import("postgres");
    const others = postgres(pooler.url, { max: 4, prepare: false });
    try {
      const heard: string[] = [];
      l.subscribe((change) => heard.push(change));
      const busy = Promise.all(Array.from({ length: 40 }, () => others`select pg_sleep(0.05)`));
      await l.ready(3000);
      await busy;
      await t.sql`update apps set name = name where false`;
      await sleep(1500);
      // Either it hears the change, or it must not claim to be live.
      expect({ live: l.live(), heardApps: heard.includes("apps") }).not.toEqual({ live: true, heardApps: false });
      expect(l.live()).toBe(false);
      // The operator is told what to do, once.
      expect(logged.filter((m) => m.includes("set DATABASE_DIRECT_URL") && m.endsWith("until then"))).toHaveLength(1);
    } finally {
      await others.end({ timeout: 1 });
      await l.close();
      pooler.close();
    }
  });
});
