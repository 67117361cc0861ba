import { describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { postgresErrorIn } from "@/lib/describe-error";
import { DomainError } from "@/lib/errors";
import { changeProductStatus } from "@/lib/products/change-product-status";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { setDisabled } from "@/lib/users/user-admin";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { latestClaimToken } from "@/tests/requests";
import { claimKey } from "./claim-key";
import { expireDueKeys, revokeRequests, rollKey } from "./key-lifecycle";

/**
 * Adversarial review of f412453 (a claim locks the request row, then its claim link) and of the other
 * writers that took a request and its keys or parts in the opposite order to a revoke. Every race here
 * is forced, not hoped for: a third transaction holds a row that one side needs after it has taken
 * its first lock, the other side is started and queues behind it, and only then is the row let go.
 * Each test says what it expects of a fixed build: both sides end without a deadlock (40P01).
 */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const ownerRow = await f.owner();
const owner = userActor(ownerRow);
const [adminRow] = await t.sql<{ id: string; role: "admin" }[]>`select id, role from users where email = 'admin@portico.dev'`;
if (!adminRow) throw new Error("no demo admin");
const admin = userActor(adminRow);

let apps = 0;
/** A request of `user` (a new consumer unless given) for these products, approved by the admin, with its claim token. */
async function approved(productIds: string[], opts: { user?: Awaited<ReturnType<typeof f.user>>; durationDays?: number } = {}) {
  const user = opts.user ?? (await f.user());
  for (const productId of productIds) await addToCart(t.db, user.id, { productId, planId: f.plan("Standard").id });
  const request = await submitRequest(t.db, { userId: user.id, baseUrl }, { newAppName: `App ${++apps}`, reason: "Because", durationDays: opts.durationDays }, {});
  await decideRequests(t.db, admin, { requestIds: [request.id], decision: "approve", baseUrl });
  return { user, request, token: await latestClaimToken(t.db, request.id, baseUrl) };
}

/** Until `n` sessions of this database wait for a lock (or 10 s). */
async function lockWaiters(n: number) {
  const until = Date.now() + 10_000;
  for (;;) {
    const [row] = await t.sql<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    const waiting = row?.waiting ?? 0;
    if (waiting >= n) return;
    if (Date.now() > until) throw new Error(`${waiting} sessions wait for a lock, not ${n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** "ok", a domain refusal's code, or PostgreSQL's error code with its DETAIL (40P01 names the cycle). */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (error: unknown) => {
      if (error instanceof DomainError) return `refused ${error.code}: ${error.message}`;
      const pg = postgresErrorIn(error) as (ReturnType<typeof postgresErrorIn> & { detail?: string; where?: string }) | null;
      return pg ? `${pg.code} ${pg.detail ?? ""} ${pg.where ?? ""}` : String(error);
    },
  );

/** Holds the rows `lock` locks (a FOR UPDATE select) in a third transaction until `release()`. */
async function holding(lock: (s: typeof t.sql) => Promise<unknown>) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let held!: () => void;
  const isHeld = new Promise<void>((r) => (held = r));
  const done = t.sql.begin(async (s) => {
    await lock(s as unknown as typeof t.sql);
    held();
    await released;
  });
  await isHeld;
  return {
    release,
    async end() {
      release();
      await done;
    },
  };
}

/** Neither side died of a deadlock. */
const noDeadlock = (results: Record<string, string>) =>
  expect(Object.entries(results).filter(([, r]) => r.startsWith("40P01"))).toEqual([]);

describe("archiving a product with revoke, racing an owner's revoke of a request for it", () => {
  it("the revoke's status trigger re-checks the part's product key (FOR KEY SHARE) the archive holds FOR UPDATE: no deadlock", { timeout: 30_000 }, async () => {
    const p = await f.newProduct("archived-race", "Archived race", ownerRow.id);
    const { request } = await approved([p.id]);
    // The revoke locks the request, then waits for the part (held); the archive locks the product,
    // then waits for the request; when the part is let go, the revoke marks it revoked, turns the
    // request revoked, and the status trigger's update of the (now self-written) part re-checks its
    // foreign key to products: FOR KEY SHARE on the product the archive holds FOR UPDATE.
    const hold = await holding((s) => s`select 1 from access_request_products where request_id = ${request.id} for update`);
    let results: Record<string, string>;
    try {
      const revoke = outcome(revokeRequests(t.db, owner, { requestIds: [request.id], reason: "Closing", baseUrl }));
      await lockWaiters(1);
      const archive = outcome(changeProductStatus(t.db, owner, p.id, "archive", { revokeKeys: true, baseUrl }));
      await lockWaiters(2);
      hold.release();
      results = { revoke: await revoke, archive: await archive };
    } finally {
      await hold.end();
    }
    noDeadlock(results);
    const [row] = await t.sql<{ status: string; product: string }[]>`
      select r.status::text as status, (select status::text from products where id = ${p.id}) as product from access_requests r where r.id = ${request.id}`;
    expect(row).toEqual({ status: "revoked", product: "archived" });
  });
});

describe("other writers of a request and its keys, against a revoke", () => {
  it("a requester's roll (key row, then the request by the new key's foreign key) racing a revoke: no deadlock", { timeout: 30_000 }, async () => {
    const { user, request, token } = await approved([f.product("payments").id]);
    const { key } = await claimKey(t.db, token, user.id, { prefix });
    const hold = await holding((s) => s`select 1 from access_request_products where request_id = ${request.id} for update`);
    let results: Record<string, string>;
    try {
      const revoke = outcome(revokeRequests(t.db, admin, { requestIds: [request.id], reason: "Leaked", baseUrl }));
      await lockWaiters(1);
      const roll = outcome(rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix, graceHours: 0, baseUrl }));
      await lockWaiters(2);
      hold.release();
      results = { revoke: await revoke, roll: await roll };
    } finally {
      await hold.end();
    }
    noDeadlock(results);
    const [row] = await t.sql<{ live: number }[]>`select count(*)::int as live from api_keys where request_id = ${request.id} and revoked_at is null and (ends_at is null or ends_at > now())`;
    expect(row?.live).toBe(0);
  });

  it("the key expiry sweep (key row, then the request) racing a revoke: no deadlock", { timeout: 30_000 }, async () => {
    const { user, request, token } = await approved([f.product("payments").id], { durationDays: 30 });
    await claimKey(t.db, token, user.id, { prefix });
    const hold = await holding((s) => s`select 1 from access_request_products where request_id = ${request.id} for update`);
    let results: Record<string, string>;
    try {
      const revoke = outcome(revokeRequests(t.db, admin, { requestIds: [request.id], reason: "Leaked", baseUrl }));
      await lockWaiters(1);
      const sweep = outcome(expireDueKeys(t.db, baseUrl, new Date(Date.now() + 31 * 86_400_000)));
      await lockWaiters(2);
      hold.release();
      results = { revoke: await revoke, sweep: await sweep };
    } finally {
      await hold.end();
    }
    noDeadlock(results);
  });

  it("disabling a person (their requests locked in created_at order) racing a revoke of three of them (id order): no deadlock", { timeout: 30_000 }, async () => {
    const user = await f.user();
    const made = [];
    for (const slug of ["payments", "invoices", "weather"]) made.push(await approved([f.product(slug).id], { user }));
    const ids = made.map((m) => m.request.id);
    const sorted = (await t.sql<{ id: string }[]>`select id from access_requests where id = any(${ids}) order by id`).map((r) => r.id);
    const [x, y, z] = sorted as [string, string, string];
    // created_at order y, z, x: the disable locked y, then z, then x (now x, y, z); the revoke x, y, z.
    await t.sql`update access_requests set created_at = now() - interval '3 hours' where id = ${y}`;
    await t.sql`update access_requests set created_at = now() - interval '2 hours' where id = ${z}`;
    await t.sql`update access_requests set created_at = now() - interval '1 hour' where id = ${x}`;
    const hold = await holding((s) => s`select 1 from access_requests where id = ${z} for update`);
    let results: Record<string, string>;
    try {
      const disable = outcome(setDisabled(t.db, admin, { userId: user.id, disabled: true, revokeKeys: true, baseUrl }));
      await lockWaiters(1); // waits for z
      const revoke = outcome(revokeRequests(t.db, admin, { requestIds: sorted, reason: "Closing", baseUrl }));
      await lockWaiters(2); // waits for the disable (before the fix, held x and waited for y)
      hold.release();
      results = { disable: await disable, revoke: await revoke };
    } finally {
      await hold.end();
    }
    noDeadlock(results);
  });
});

describe("the claim's lock on the request, as a stranger and for a missing link", () => {
  it("a stranger's token locks nothing: refused at once while the owner's request row is held", { timeout: 30_000 }, async () => {
    const { request, token } = await approved([f.product("payments").id]);
    const stranger = await f.user();
    const hold = await holding((s) => s`select 1 from access_requests where id = ${request.id} for update`);
    try {
      expect(await outcome(claimKey(t.db, token, stranger.id, { prefix }))).toMatch(/^refused forbidden: This claim link was sent to another account/);
    } finally {
      await hold.end();
    }
  });

  it("a well-formed token with no link is 'not valid', as before", async () => {
    const { user, token } = await approved([f.product("payments").id]);
    const other = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await outcome(claimKey(t.db, other, user.id, { prefix }))).toMatch(/^refused not_found: This claim link is not valid/);
  });
});
