import { describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { claimKey } from "@/lib/keys/claim-key";
import { revokeRequests } from "@/lib/keys/key-lifecycle";
import { createVerifyContext } from "@/lib/keys/verify-context";
import { startVerifyServer } from "@/lib/keys/verify-server";
import { changeListeners, until } from "@/tests/changes";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest } from "@/tests/requests";
import { cachedKeyLookup } from "@/lib/keys/lookup-cache";
import { type KeyRow, lookupKey } from "@/lib/keys/verify-key";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const owner = await f.owner();
const baseUrl = "http://portal.test";
const prefix = "ptk";

const listen = changeListeners(t.url);

async function claimedKey() {
  const { user, request, token } = await approvedRequest({ db: t.db, f, approver: userActor(owner), baseUrl }, { slugs: ["payments"] });
  const { plaintext, key } = await claimKey(t.db, token, user.id, { prefix });
  return { user, request, key: plaintext, keyId: key.id };
}

describe("change notifications", () => {
  it("a committed change is heard by name; a rolled-back one is not; last_used_at stamps are not changes", async () => {
    const l = listen();
    expect(await l.ready()).toBe(true);
    const heard: string[] = [];
    l.subscribe((change) => heard.push(change));

    await t.sql.begin(async (tx) => {
      await tx`update apps set name = name where false`;
      await tx`select pg_sleep(0.05)`;
      expect(heard).toEqual([]);
    });
    expect(await until(() => heard.includes("apps"), 2000)).toBeLessThan(1000);

    heard.length = 0;
    await t.sql
      .begin(async (tx) => {
        await tx`update products set name = name where false`;
        throw new Error("roll back");
      })
      .catch(() => {});
    await t.sql`update api_keys set last_used_at = now() where false`;
    await t.sql`update plans set name = name where false`;
    await until(() => heard.includes("plans"), 2000);
    expect(heard).toEqual(["plans"]);
  });

  it("a lost connection turns the listener off at once and back on when it reconnects, announcing '*'", async () => {
    const l = listen({ reconnectMs: 50 });
    await l.ready();
    const heard: string[] = [];
    l.subscribe((change) => heard.push(change));
    expect(l.live()).toBe(true);
    await t.sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'portico-changes' and datname = current_database()`;
    expect(await until(() => !l.live(), 2000)).toBeLessThan(1000);
    expect(await until(() => l.live(), 5000)).toBeLessThan(3000);
    expect(heard.filter((c) => c === "*").length).toBeGreaterThanOrEqual(2);
  });
});

describe("verify's key cache on two instances", () => {
  it("answers from memory, and a revoke on one instance is a 401 on the other within 1 s", async () => {
    const [a, b] = [listen(), listen()];
    await Promise.all([a.ready(), b.ready()]);
    const contexts = [createVerifyContext(t.sql, { changes: a }), createVerifyContext(t.sql, { changes: b })];
    const servers = await Promise.all(contexts.map((context) => startVerifyServer({ sql: t.sql, prefix, port: 0, context })));
    try {
      const { user, request, key } = await claimedKey();
      const verify = (i: 0 | 1) =>
        fetch(`${servers[i]?.url}/api/v1/keys/verify?product=payments`, { headers: { "x-api-key": key } }).then((r) => r.status);
      expect([await verify(0), await verify(1)]).toEqual([200, 200]);

      for (let i = 0; i < 20; i++) expect(await verify(1)).toBe(200);

      // The owner revokes on instance A's database connection; B never asked the database since.
      await revokeRequests(t.db, userActor(owner), { requestIds: [request.id], reason: "leaked", baseUrl });
      const seen = await until(async () => (await verify(1)) === 401, 3000);
      expect(seen, "B answers 401 after the revoke").toBeLessThan(1000);
      // A hears the same notification on its own listener: within 1 s of the revoke too, though not
      // always before B (a fresh clone's CI run, 2026-12-06, asked A at once and got its 200).
      const seenA = await until(async () => (await verify(0)) === 401, 3000);
      expect(seen + seenA, "A answers 401 within 1 s of the revoke").toBeLessThan(1000);
      void user;
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(contexts.map((c) => c.flush()));
    }
  });

  it("asks the database once per key, again after a change, and never keeps a lookup a change overtook", async () => {
    const l = listen();
    await l.ready();
    const { key } = await claimedKey();
    const { hashSecret } = await import("@/lib/keys/key-format");
    const hash = hashSecret(key);
    let asked = 0;
    let hold: Promise<void> | undefined;
    const counting = async (h: string): Promise<readonly KeyRow[]> => {
      asked++;
      const rows = await lookupKey(t.sql, h);
      await hold;
      return rows;
    };
    const cache = cachedKeyLookup(counting, l);
    // The claim's own notifications arrive first.
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 20; i++) expect(await cache.lookup(hash)).toHaveLength(1);
    expect(asked).toBe(1);

    await t.sql`update apps set updated_at = now() where false`;
    await until(() => cache.stats().entries === 0, 2000);
    await cache.lookup(hash);
    expect(asked).toBe(2);

    // A lookup that read the row before a change and returns after it is not kept.
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    await t.sql`update apps set updated_at = now() where false`;
    await until(() => cache.stats().entries === 0, 2000);
    const slow = cache.lookup(hash);
    await new Promise((r) => setTimeout(r, 50));
    await t.sql`update access_requests set updated_at = updated_at where false`;
    const generation = l.generation();
    await until(() => l.generation() > generation, 2000);
    release();
    await slow;
    hold = undefined;
    expect(cache.stats().entries).toBe(0);
    cache.stop();
  });

  it("keeps nothing while the listener is not live", async () => {
    const l = listen();
    await l.ready();
    const context = createVerifyContext(t.sql, { changes: l });
    const { key } = await claimedKey();
    const server = await startVerifyServer({ sql: t.sql, prefix, port: 0, context });
    try {
      const verify = () => fetch(`${server.url}/api/v1/keys/verify`, { headers: { "x-api-key": key } }).then((r) => r.status);
      expect(await verify()).toBe(200);
      await l.close();
      expect(l.live()).toBe(false);
      // Revoked behind a listener that cannot hear it: the database is asked, so the answer is right.
      await t.sql`update api_keys set end_reason = 'revoked', ends_at = now(), revoked_at = now() where key_hash is not null and app_id in (select app_id from api_keys order by created_at desc limit 1)`;
      expect(await verify()).toBe(401);
    } finally {
      await server.close();
      await context.flush();
    }
  });
});
