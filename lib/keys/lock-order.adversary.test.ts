import type { Sql } from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "@/db/connect";
import { userActor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { changeProductStatus } from "@/lib/products/change-product-status";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { setDisabled } from "@/lib/users/user-admin";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { holding, noDeadlock, outcome, race } from "@/tests/lock-race";
import { latestClaimToken } from "@/tests/requests";
import { deleteApp } from "@/lib/apps/delete-app";
import { extendRequest } from "@/lib/requests/extend-request";
import { claimKey } from "./claim-key";
import { expireDueKeys, revokeRequests, rollKey } from "./key-lifecycle";

/**
 * Two adversarial reviews of the lock order (2026-12-06): writers that took a request and its keys,
 * parts, original request, owner or product in another order than a revoke or a decision takes them
 * (requests in id order first). Every race here is forced, not hoped for (tests/lock-race.ts): a
 * third transaction holds a row that one side needs after it has taken its first lock, the other
 * side is started and queues behind it, and only then is the row let go. Each test expects both
 * sides to end without a deadlock (40P01); each failed with one before its fix.
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

describe("archiving a product with revoke, racing an owner's revoke of a request for it", () => {
  it("the revoke's status trigger re-checks the part's product key (FOR KEY SHARE) the archive holds FOR UPDATE: no deadlock", { timeout: 30_000 }, async () => {
    const p = await f.newProduct("archived-race", "Archived race", ownerRow.id);
    const { request } = await approved([p.id]);
    // The revoke locks the request, then waits for the part (held); the archive locks the product,
    // then waits for the request; when the part is let go, the revoke marks it revoked, turns the
    // request revoked, and the status trigger's update of the (now self-written) part re-checks its
    // foreign key to products: FOR KEY SHARE on the product the archive holds FOR UPDATE.
    const results = await race(t.sql, (s) => s`select 1 from access_request_products where request_id = ${request.id} for update`, {
      revoke: () => revokeRequests(t.db, owner, { requestIds: [request.id], reason: "Closing", baseUrl }),
      archive: () => changeProductStatus(t.db, owner, p.id, "archive", { revokeKeys: true, baseUrl }),
    });
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
    const results = await race(t.sql, (s) => s`select 1 from access_request_products where request_id = ${request.id} for update`, {
      revoke: () => revokeRequests(t.db, admin, { requestIds: [request.id], reason: "Leaked", baseUrl }),
      roll: () => rollKey(t.db, user.id, { requestId: request.id, keyId: key.id }, { prefix, graceHours: 0, baseUrl }),
    });
    noDeadlock(results);
    const [row] = await t.sql<{ live: number }[]>`select count(*)::int as live from api_keys where request_id = ${request.id} and revoked_at is null and (ends_at is null or ends_at > now())`;
    expect(row?.live).toBe(0);
  });

  it("the key expiry sweep (key row, then the request) racing a revoke: no deadlock", { timeout: 30_000 }, async () => {
    const { user, request, token } = await approved([f.product("payments").id], { durationDays: 30 });
    await claimKey(t.db, token, user.id, { prefix });
    const results = await race(t.sql, (s) => s`select 1 from access_request_products where request_id = ${request.id} for update`, {
      revoke: () => revokeRequests(t.db, admin, { requestIds: [request.id], reason: "Leaked", baseUrl }),
      sweep: () => expireDueKeys(t.db, baseUrl, new Date(Date.now() + 31 * 86_400_000)),
    });
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
    const results = await race(t.sql, (s) => s`select 1 from access_requests where id = ${z} for update`, {
      disable: () => setDisabled(t.db, admin, { userId: user.id, disabled: true, revokeKeys: true, baseUrl }),
      revoke: () => revokeRequests(t.db, admin, { requestIds: sorted, reason: "Closing", baseUrl }),
    });
    noDeadlock(results);
  });
});

describe("the claim's lock on the request, as a stranger and for a missing link", () => {
  it("a stranger's token locks nothing: refused at once while the owner's request row is held", { timeout: 30_000 }, async () => {
    const { request, token } = await approved([f.product("payments").id]);
    const stranger = await f.user();
    const hold = await holding(t.sql, (s) => s`select 1 from access_requests where id = ${request.id} for update`);
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

/** A request of `user` in their existing app `appId` for `productId`, approved by the admin. */
async function approvedIn(appId: string, user: Awaited<ReturnType<typeof f.user>>, productId: string) {
  await addToCart(t.db, user.id, { productId, planId: f.plan("Standard").id });
  const request = await submitRequest(t.db, { userId: user.id, baseUrl }, { appId, reason: "Because" }, {});
  await decideRequests(t.db, admin, { requestIds: [request.id], decision: "approve", baseUrl });
  return request;
}

/** An available request R (key claimed, 30-day key) with a pending extension E of it. */
async function extended(opts: { user?: Awaited<ReturnType<typeof f.user>> } = {}) {
  const { user, request, token } = await approved([f.product("payments").id], { durationDays: 30, ...opts });
  await claimKey(t.db, token, user.id, { prefix });
  await extendRequest(t.db, userActor(user), { requestId: request.id, reason: "More time" }, { baseUrl });
  const [ext] = await t.sql<{ id: string }[]>`select id from access_requests where extends_request_id = ${request.id} and status = 'pending'`;
  if (!ext) throw new Error("no extension");
  return { user, original: request.id, extension: ext.id };
}

/** Holds a request's parts: the first side waits for them after its first lock. */
const partsOf = (requestId: string) => (s: Sql) => s`select 1 from access_request_products where request_id = ${requestId} for update`;

describe("approving an extension, which also locks the request it extends", () => {
  it("bulk approve [extension E, approved Q] racing a bulk revoke [original R, Q], R < Q: no deadlock", { timeout: 60_000 }, async () => {
    // Q: an approved request whose id sorts after R's. Ids are random UUIDs: an R from the lower
    // quarter first (a CI run once drew an R that 20 Qs did not pass), then a Q above it.
    let made = await extended();
    for (let i = 0; i < 80 && !(made.original < "4"); i++) made = await extended();
    const { original, extension } = made;
    let q = "";
    for (let i = 0; i < 40 && !(q > original); i++) q = (await approved([f.product("invoices").id])).request.id;
    expect(q > original).toBe(true);
    // The decision locks E and Q (id order), then waits for E's part (held); the revoke locks R, then
    // waits for Q; let go, the decision's applyExtensions locks R: held by the revoke.
    const results = await race(t.sql, partsOf(extension), {
      approve: () => decideRequests(t.db, admin, { requestIds: [extension, q], decision: "approve", baseUrl }),
      revoke: () => revokeRequests(t.db, admin, { requestIds: [original, q], reason: "Closing", baseUrl }),
    });
    noDeadlock(results);
  });

  it("approving a person's extension E racing disabling them (their requests locked in id order, original R < E): no deadlock", { timeout: 60_000 }, async () => {
    let made = await extended();
    for (let i = 0; i < 20 && !(made.original < made.extension); i++) made = await extended();
    const { user, original, extension } = made;
    expect(original < extension).toBe(true);
    // The decision locks E, then waits for E's part (held); the disable locks the user, then R, then
    // waits for E; let go, the decision's applyExtensions locks R: held by the disable.
    const results = await race(t.sql, partsOf(extension), {
      approve: () => decideRequests(t.db, admin, { requestIds: [extension], decision: "approve", baseUrl }),
      disable: () => setDisabled(t.db, admin, { userId: user.id, disabled: true, revokeKeys: true, baseUrl }),
    });
    noDeadlock(results);
  });
});

describe("deleting an app, which cancels its open requests", () => {
  const heapOrder = createDb(t.url, { max: 4, timeoutMs: 60_000, settings: { enable_indexscan: "off", enable_indexonlyscan: "off", enable_bitmapscan: "off" } });
  afterAll(() => heapOrder.sql.end({ timeout: 5 }));

  it("deleteApp racing a bulk revoke of two approved requests of the app: no deadlock", { timeout: 60_000 }, async () => {
    // The order deleteApp's select returns them in without its ORDER BY (same SQL as drizzle's): try
    // until it is not id order. The probe and deleteApp run on connections that scan the table, not an
    // index: a plan by the (app_id, id) index comes in id order every time (a CI run drew it for all 20
    // tries). With the ORDER BY and FOR UPDATE taken out of deleteApp, this fails with 40P01.
    let found: { user: Awaited<ReturnType<typeof f.user>>; appId: string; first: string; second: string } | null = null;
    for (let i = 0; i < 20 && !found; i++) {
      const { user, request } = await approved([f.product("payments").id]);
      const other = await approvedIn(request.appId, user, f.product("invoices").id);
      const rows = await heapOrder.sql.unsafe<{ id: string }[]>(
        `select "id" from "access_requests" where ("access_requests"."app_id" = $1 and "access_requests"."status" in ($2, $3))`,
        [request.appId, "pending", "approved"],
      );
      const [a, b] = rows.map((r) => r.id) as [string, string];
      expect(new Set([a, b])).toEqual(new Set([request.id, other.id]));
      if (a > b) found = { user, appId: request.appId, first: a, second: b };
    }
    if (!found) throw new Error("deleteApp's scan always came in id order");
    const { user, appId, first, second } = found;
    // deleteApp cancels `first` (the larger id), then waits for its part (held, the status trigger);
    // the revoke locks `second`, then waits for `first`; let go, deleteApp cancels `second`.
    const results = await race(t.sql, partsOf(first), {
      deleteApp: () => deleteApp(heapOrder.db, user.id, appId),
      revoke: () => revokeRequests(t.db, admin, { requestIds: [first, second], reason: "Closing", baseUrl }),
    });
    noDeadlock(results);
  });
});

describe("forced interleavings that never deadlocked (kept as guards)", () => {
  it("bulk approve [approved A, pending B] racing an archive with revoke of their product: no deadlock", { timeout: 60_000 }, async () => {
    const p = await f.newProduct(`approve-archive-${Date.now()}`, "Approve archive race", ownerRow.id);
    const a = (await approved([p.id])).request.id;
    const user = await f.user();
    await addToCart(t.db, user.id, { productId: p.id, planId: f.plan("Standard").id });
    const b = (await submitRequest(t.db, { userId: user.id, baseUrl }, { newAppName: `App ${++apps}`, reason: "Because" }, {})).id;
    // The approval locks A and B, then waits for B's part (held); the archive locks the product,
    // then waits for A; let go, B's status trigger re-checks its part's product (KEY SHARE).
    const results = await race(t.sql, partsOf(b), {
      approve: () => decideRequests(t.db, admin, { requestIds: [a, b], decision: "approve", baseUrl }),
      archive: () => changeProductStatus(t.db, owner, p.id, "archive", { revokeKeys: true, baseUrl }),
    });
    expect(results).toEqual({ approve: "ok", archive: "ok" });
    // A was approved when the archive began: its part of the product is revoked. (B's approval
    // commits while the archive waits, after the archive's snapshot: B keeps its part, as if approved
    // after the archive.)
    const [partA] = await t.sql<{ revoked: boolean }[]>`
      select revoked_at is not null as revoked from access_request_products where product_id = ${p.id} and request_id = ${a}`;
    expect(partA?.revoked).toBe(true);
  });

  it("bulk deny of a person's pending requests (id order) racing disabling them: no deadlock", { timeout: 60_000 }, async () => {
    const user = await f.user();
    const ids: string[] = [];
    for (const slug of ["payments", "invoices"]) {
      await addToCart(t.db, user.id, { productId: f.product(slug).id, planId: f.plan("Standard").id });
      ids.push((await submitRequest(t.db, { userId: user.id, baseUrl }, { newAppName: `App ${++apps}`, reason: "Because" }, {})).id);
    }
    const sorted = [...ids].sort();
    const results = await race(t.sql, partsOf(sorted[0] as string), {
      deny: () => decideRequests(t.db, admin, { requestIds: ids, decision: "deny", comment: "No", baseUrl }),
      disable: () => setDisabled(t.db, admin, { userId: user.id, disabled: true, revokeKeys: true, baseUrl }),
    });
    noDeadlock(results);
  });
});
