import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "@/db/connect";
import { accessRequests, apps } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { claimKey } from "@/lib/keys/claim-key";
import { generateKey } from "@/lib/keys/key-format";
import { importKeys } from "@/lib/keys/import-keys";
import { checkInRequest, revokeRequests } from "@/lib/keys/key-lifecycle";
import { changeProductStatus } from "@/lib/products/change-product-status";
import { postgresErrorIn } from "@/lib/describe-error";
import { isolatedDatabase } from "@/tests/database";
import { apiKeyActor, catalogueFixture, must } from "@/tests/fixtures";
import { expectQueueMatchesOracle, type PageReadOptions, type QueueView, queueOracle, readEveryPage, userActor } from "@/tests/queue-oracle";
import { latestClaimToken, partsDisagreeing } from "@/tests/requests";
import { cancelAccessRequest } from "./cancel-access-request";
import { decideRequests } from "./decide-requests";
import { expireUnclaimedRequests } from "./expire-unclaimed";
import { extendRequest } from "./extend-request";
import { cancelRequest, resubmitRequest } from "./requester-actions";
import { submitRequest } from "./submit-request";

// Adversarial review of 8b8bdb1: access_request_products.status, a copy of its request's status kept
// by triggers (drizzle/0031_part_status.sql), read by the queue's product filter and its search of a
// product's name. Every code path that writes a status or a part is run and the copy compared with
// the request's; raw writers (CTEs, upserts, MERGE, moves) and interleavings are tried; the queue is
// compared with the oracle (tests/queue-oracle.ts) for every viewer and status; and the migration's
// backfill is replayed with a status change landing in the middle of it.

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";

const adminRow = await f.user("admin");
const admin = userActor(adminRow.id, "admin");
const demoOwnerRow = await f.owner(); // owns the demo products
const demoOwner = userActor(demoOwnerRow.id, "owner");
const otherOwnerRow = await f.user("owner");
const otherOwner = userActor(otherOwnerRow.id, "owner");
const kiwi = await f.newProduct("kiwi-api", "Kiwi API", otherOwnerRow.id);
const lonely = await f.newProduct("lonely", "Lonely Service", otherOwnerRow.id);
const payments = f.product("payments");
const weather = f.product("weather");
const standard = f.plan("Standard");

const disagreeing = (db: Database = t.db) => partsDisagreeing(db);
const expectAgreement = async (label: string, db: Database = t.db) => expect(await disagreeing(db), label).toEqual([]);

async function submitted(db: Database, userId: string, productIds: string[], opts: { startsAt?: Date; durationDays?: number; reason?: string } = {}) {
  for (const productId of productIds) await addToCart(db, userId, { productId, planId: standard.id });
  return submitRequest(
    db,
    { userId, baseUrl },
    { newAppName: `App ${Math.random().toString(36).slice(2, 8)}`, reason: opts.reason ?? "Because", startsAt: opts.startsAt?.toISOString(), durationDays: opts.durationDays },
    {},
  );
}

/** A call's outcome as text: "ok", a DomainError's code, or a Postgres error's code and message (40P01: deadlock). */
const settled = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => {
      const pg = postgresErrorIn(e);
      return pg ? `${pg.code} ${String((pg as { message?: unknown }).message ?? "")} ${String((pg as { detail?: unknown }).detail ?? "")}` : String((e as { code?: string }).code ?? (e as Error).message);
    },
  );

const statusOf = async (id: string) => (await t.db.select({ s: accessRequests.status }).from(accessRequests).where(eq(accessRequests.id, id)))[0]?.s;

describe("adversary: every writer of a status or a part keeps the copy", () => {
  it("submit, partial and full approval by two owners, claim, partial and whole revoke, admin revoke", { timeout: 60_000 }, async () => {
    const u = await f.user();
    const r = await submitted(t.db, u.id, [payments.id, kiwi.id]);
    await expectAgreement("submitted");
    // One owner's approval: still pending (parts updated: approved_at only).
    await decideRequests(t.db, demoOwner, { requestIds: [r.id], decision: "approve", baseUrl });
    expect(await statusOf(r.id)).toBe("pending");
    await expectAgreement("half approved");
    await decideRequests(t.db, otherOwner, { requestIds: [r.id], decision: "approve", baseUrl });
    expect(await statusOf(r.id)).toBe("approved");
    await expectAgreement("approved");
    await claimKey(t.db, await latestClaimToken(t.db, r.id, baseUrl), u.id, { prefix });
    expect(await statusOf(r.id)).toBe("available");
    await expectAgreement("claimed");
    await revokeRequests(t.db, otherOwner, { requestIds: [r.id], reason: "Kiwi closes", baseUrl });
    expect(await statusOf(r.id)).toBe("available");
    await expectAgreement("partly revoked");
    await revokeRequests(t.db, demoOwner, { requestIds: [r.id], reason: "Payments too", baseUrl });
    expect(await statusOf(r.id)).toBe("revoked");
    await expectAgreement("wholly revoked");

    const byAdmin = await submitted(t.db, u.id, [weather.id, lonely.id]);
    await decideRequests(t.db, admin, { requestIds: [byAdmin.id], decision: "approve", baseUrl });
    await revokeRequests(t.db, admin, { requestIds: [byAdmin.id], reason: "All of it", baseUrl });
    expect(await statusOf(byAdmin.id)).toBe("revoked");
    await expectAgreement("admin revoke");
  });

  it("deny in bulk, cancel (requester and admin), resubmit, check-in, expire unclaimed", { timeout: 60_000 }, async () => {
    const u = await f.user();
    const many = [await submitted(t.db, u.id, [payments.id]), await submitted(t.db, u.id, [weather.id, kiwi.id]), await submitted(t.db, u.id, [lonely.id])];
    await decideRequests(t.db, admin, { requestIds: many.map((m) => m.id), decision: "deny", comment: "No", baseUrl });
    await expectAgreement("bulk deny");
    const again = await resubmitRequest(t.db, { userId: u.id, baseUrl }, must(many[1]).id);
    expect(again).toBeTruthy();
    await expectAgreement("resubmitted");

    const mine = await submitted(t.db, u.id, [payments.id, weather.id]);
    await cancelRequest(t.db, u.id, mine.id);
    await expectAgreement("requester cancel");
    const approvedThenCancelled = await submitted(t.db, u.id, [kiwi.id]);
    await decideRequests(t.db, otherOwner, { requestIds: [approvedThenCancelled.id], decision: "approve", baseUrl });
    await cancelAccessRequest(t.db, admin, { requestId: approvedThenCancelled.id, comment: "Withdrawn", baseUrl });
    expect(await statusOf(approvedThenCancelled.id)).toBe("cancelled");
    await expectAgreement("admin cancel of an approved one");

    const checkedIn = await submitted(t.db, u.id, [weather.id]);
    await decideRequests(t.db, admin, { requestIds: [checkedIn.id], decision: "approve", baseUrl });
    await claimKey(t.db, await latestClaimToken(t.db, checkedIn.id, baseUrl), u.id, { prefix });
    await checkInRequest(t.db, u.id, checkedIn.id);
    expect(await statusOf(checkedIn.id)).toBe("completed");
    await expectAgreement("checked in");

    const lapsing = await submitted(t.db, u.id, [payments.id, lonely.id], { durationDays: 1 });
    await decideRequests(t.db, admin, { requestIds: [lapsing.id], decision: "approve", baseUrl });
    await expireUnclaimedRequests(t.db, baseUrl, new Date(Date.now() + 10 * 86_400_000));
    expect(await statusOf(lapsing.id)).toBe("expired");
    await expectAgreement("expired unclaimed");
  });

  it("an extension asked and approved (the extension completes), archiving a product with revoke, a bulk key import", { timeout: 60_000 }, async () => {
    const u = await f.user();
    const r = await submitted(t.db, u.id, [weather.id], { durationDays: 30 });
    await decideRequests(t.db, admin, { requestIds: [r.id], decision: "approve", baseUrl });
    await claimKey(t.db, await latestClaimToken(t.db, r.id, baseUrl), u.id, { prefix });
    const { extension } = await extendRequest(t.db, userActor(u.id, "consumer"), { requestId: r.id, reason: "Longer" }, { baseUrl });
    await expectAgreement("extension asked");
    await decideRequests(t.db, admin, { requestIds: [extension.id], decision: "approve", baseUrl });
    expect(await statusOf(extension.id)).toBe("completed");
    await expectAgreement("extension applied");

    // Archive Lonely with revoke: every live request of it loses its part; single-part ones are revoked.
    const live = await submitted(t.db, u.id, [lonely.id]);
    const mixed = await submitted(t.db, u.id, [lonely.id, kiwi.id]);
    await decideRequests(t.db, otherOwner, { requestIds: [live.id, mixed.id], decision: "approve", baseUrl });
    await changeProductStatus(t.db, otherOwner, lonely.id, "archive", { revokeKeys: true, baseUrl });
    expect(await statusOf(live.id)).toBe("revoked");
    expect(await statusOf(mixed.id)).toBe("approved");
    await expectAgreement("archived with revoke");
    await changeProductStatus(t.db, otherOwner, lonely.id, "restore");
    await changeProductStatus(t.db, otherOwner, lonely.id, "publish");

    const csv = ["app,consumer_email,products,plan,key,key_sha256,expires_at", `Imported,imp-${Date.now()}@example.com,payments;weather,Standard,${generateKey(prefix)},,`, `Imported 2,imp2-${Date.now()}@example.com,kiwi-api,Standard,${generateKey(prefix)},,`].join("\n");
    const report = await importKeys(t.db, admin, { csv, fileName: "keys.csv", dryRun: false });
    expect(report.imported).toHaveLength(2);
    const importedParts = await t.sql<{ status: string }[]>`select p.status::text from access_request_products p join access_requests r on r.id = p.request_id where r.reason like 'Imported from another portal%'`;
    expect(importedParts.map((p) => p.status).sort()).toEqual(["available", "available", "available"]);
    await expectAgreement("imported");
  });
});

// Raw requests get UUIDs as the app's do: the queue's cursors take nothing else (queue-cursor.ts).
const ID = {
  cte5: crypto.randomUUID(),
  partsFirst: crypto.randomUUID(),
  rawA: crypto.randomUUID(),
  rawB: crypto.randomUUID(),
  replica: crypto.randomUUID(),
  race1: crypto.randomUUID(),
  raceRR: crypto.randomUUID(),
};

/** A bare request row (status as given) for raw-SQL writers, and its app. */
async function bareRequest(id: string, status: string) {
  const u = await f.user();
  const app = await f.app(u.id);
  await t.sql`insert into access_requests (id, requester_id, app_id, plan_id, status, reason, fields, plan)
    values (${id}, ${u.id}, ${app.id}, ${standard.id}, ${status}::request_status, 'raw', '{}'::jsonb, '{"name": "Standard"}'::jsonb)`;
  return { user: u, app };
}

describe("adversary: raw writers", () => {
  it("a request and its parts in one statement (data-modifying CTE, as scripts/seed-scale.ts): the parts take the request's status", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    await t.sql`
      with ins as (
        insert into access_requests (id, requester_id, app_id, plan_id, status, reason, fields, plan)
        select gen_random_uuid()::text, ${u.id}, ${app.id}, ${standard.id}, (array['approved','denied','available','expired'])[g]::request_status, 'cte', '{}'::jsonb, '{"name": "Standard"}'::jsonb
        from generate_series(1, 4) g returning id
      )
      insert into access_request_products (request_id, product_id) select ins.id, ${payments.id} from ins`;
    // The unreferenced CTE runs to completion after the main statement: the request exists by then too.
    await t.sql`
      with p as (insert into access_request_products (request_id, product_id) values (${ID.cte5}, ${weather.id})),
      r as (insert into access_requests (id, requester_id, app_id, plan_id, status, reason, fields, plan)
        values (${ID.cte5}, ${u.id}, ${app.id}, ${standard.id}, 'denied', 'cte', '{}'::jsonb, '{"name": "Standard"}'::jsonb) returning id)
      select * from r`;
    await expectAgreement("CTE-inserted");
  });

  it("a part inserted before its request in the same statement is refused (the trigger finds no request), not kept 'pending' beside an approved request", async () => {
    const u = await f.user();
    const app = await f.app(u.id);
    const outcome = await settled(t.sql`
      with p as (insert into access_request_products (request_id, product_id) values (${ID.partsFirst}, ${weather.id}) returning request_id)
      insert into access_requests (id, requester_id, app_id, plan_id, status, reason, fields, plan)
        select p.request_id, ${u.id}, ${app.id}, ${standard.id}, 'approved', 'cte', '{}'::jsonb, '{"name": "Standard"}'::jsonb from p`.then(() => undefined));
    const bad = (await disagreeing()).filter((d) => d.request_id === ID.partsFirst);
    await t.sql`delete from access_requests where id = ${ID.partsFirst}`;
    // Refused, or written agreeing. Now: written with the part 'pending' and the request 'approved'.
    expect(outcome === "ok" ? bad : [], outcome).toEqual([]);
  });

  it("upserts, MERGE, a part moved between requests, deleted and re-inserted, a status written twice in one transaction", async () => {
    await bareRequest(ID.rawA, "pending");
    await bareRequest(ID.rawB, "denied");
    await t.sql`insert into access_request_products (request_id, product_id, status) values (${ID.rawA}, ${payments.id}, 'revoked')`;
    // An upsert whose DO UPDATE names the status, and one that moves nothing.
    await t.sql`insert into access_request_products (request_id, product_id, status) values (${ID.rawA}, ${payments.id}, 'completed')
      on conflict (request_id, product_id) do update set status = excluded.status`;
    await t.sql`insert into access_request_products (request_id, product_id) values (${ID.rawA}, ${payments.id})
      on conflict (request_id, product_id) do update set approved_at = now()`;
    await expectAgreement("upserts");
    // MERGE on access_requests changing the status.
    await t.sql`merge into access_requests r using (values (${ID.rawA})) v(id) on r.id = v.id when matched then update set status = 'approved'`;
    expect(await statusOf(ID.rawA)).toBe("approved");
    await expectAgreement("merge");
    // A request's status through an upsert.
    await t.sql`insert into access_requests (id, requester_id, app_id, plan_id, status, reason, fields, plan)
      select id, requester_id, app_id, plan_id, 'cancelled', reason, fields, plan from access_requests where id = ${ID.rawA}
      on conflict (id) do update set status = excluded.status`;
    await expectAgreement("request upsert");
    // Moved, then deleted and re-inserted.
    await t.sql`update access_request_products set request_id = ${ID.rawB} where request_id = ${ID.rawA}`;
    await t.sql`delete from access_request_products where request_id = ${ID.rawB}`;
    await t.sql`insert into access_request_products (request_id, product_id, status) values (${ID.rawB}, ${kiwi.id}, 'pending')`;
    await expectAgreement("moved and re-inserted");
    // pending → approved → pending in one transaction, and a part written between.
    await t.sql.begin(async (tx) => {
      await tx`update access_requests set status = 'approved' where id = ${ID.rawB}`;
      await tx`insert into access_request_products (request_id, product_id) values (${ID.rawB}, ${weather.id})`;
      await tx`update access_requests set status = 'pending' where id = ${ID.rawB}`;
    });
    await expectAgreement("two changes in one transaction");
    // A CTE changing the request's status and inserting a part of it in one statement, both orders.
    await t.sql`with r as (update access_requests set status = 'revoked' where id = ${ID.rawB} returning id)
      insert into access_request_products (request_id, product_id) select id, ${lonely.id} from r`;
    await t.sql`with p as (insert into access_request_products (request_id, product_id) values (${ID.rawB}, ${payments.id}) returning request_id)
      update access_requests set status = 'expired' where id in (select request_id from p)`;
    await expectAgreement("CTE update + part");
  });

  it("NIT (documented bypass): with session_replication_role = replica neither trigger fires", async () => {
    await bareRequest(ID.replica, "pending");
    await t.sql`insert into access_request_products (request_id, product_id) values (${ID.replica}, ${payments.id})`;
    await t.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update access_requests set status = 'denied' where id = ${ID.replica}`;
    });
    expect((await disagreeing()).filter((d) => d.request_id === ID.replica)).toHaveLength(1);
    await t.sql`delete from access_requests where id = ${ID.replica}`;
  });
});

describe("adversary: interleavings", () => {
  it("a part inserted first (its transaction open), the status changed meanwhile elsewhere (read committed): the change waits and then updates the new part", { timeout: 30_000 }, async () => {
    await bareRequest(ID.race1, "pending");
    await t.sql`insert into access_request_products (request_id, product_id) values (${ID.race1}, ${payments.id})`;
    const writing = await t.sql.reserve();
    const changing = await t.sql.reserve();
    try {
      await writing`begin`;
      await writing`insert into access_request_products (request_id, product_id) values (${ID.race1}, ${weather.id})`;
      let changed = false;
      const change = changing`update access_requests set status = 'denied' where id = ${ID.race1}`.then(() => {
        changed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(changed).toBe(false);
      await writing`commit`;
      await change;
    } finally {
      writing.release();
      changing.release();
    }
    await expectAgreement("part first, change second");
  });

  it("a status changed in a REPEATABLE READ transaction while a part is being inserted does not leave the new part behind (the change is refused there)", { timeout: 30_000 }, async () => {
    await bareRequest(ID.raceRR, "pending");
    await t.sql`insert into access_request_products (request_id, product_id) values (${ID.raceRR}, ${payments.id})`;
    const writing = await t.sql.reserve();
    const changing = await t.sql.reserve();
    let outcome = "ok";
    try {
      await changing`begin isolation level repeatable read`;
      await changing`select 1 from users limit 1`; // the snapshot
      await writing`begin`;
      await writing`insert into access_request_products (request_id, product_id) values (${ID.raceRR}, ${weather.id})`;
      const change = settled(changing`update access_requests set status = 'denied' where id = ${ID.raceRR}`.then(() => undefined));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await writing`commit`;
      // The part was only locked FOR SHARE, so nothing fails the update for serialization; the
      // trigger's update of the parts would run in the transaction's snapshot, which lacks the new
      // part. So the trigger refuses a status change under REPEATABLE READ.
      outcome = await change;
      await (outcome === "ok" ? changing`commit` : changing`rollback`);
    } finally {
      writing.release();
      changing.release();
    }
    const bad = (await disagreeing()).filter((d) => d.request_id === ID.raceRR);
    await t.sql`delete from access_requests where id = ${ID.raceRR}`;
    expect(outcome).toMatch(/^0A000 /);
    expect(bad, outcome).toEqual([]);
  });

  it("concurrent decisions, denials, cancels; then claims, revokes (bulk and one by one, both owners) and an archive with revoke, each on its own requests: no deadlock, the copy holds", { timeout: 120_000 }, async () => {
    const people = [await f.user(), await f.user(), await f.user()];
    const made: { id: string; user: string; products: string[] }[] = [];
    const combos = [[payments.id, kiwi.id], [weather.id], [kiwi.id, weather.id], [payments.id, weather.id, kiwi.id], [lonely.id]];
    for (let i = 0; i < 25; i++) {
      const u = must(people[i % people.length]);
      const ps = must(combos[i % combos.length]);
      made.push({ id: (await submitted(t.db, u.id, ps)).id, user: u.id, products: ps });
    }
    const ids = made.map((m) => m.id);
    const has = (m: { products: string[] }, ...ps: string[]) => m.products.some((p) => ps.includes(p));
    const demoIds = made.filter((m) => has(m, payments.id, weather.id)).map((m) => m.id);
    const otherIds = made.filter((m) => has(m, kiwi.id, lonely.id)).map((m) => m.id);
    // Round 1: both owners approve in bulk (one in reversed order), the admin denies some, requesters cancel some, all at once.
    const round1 = await Promise.all([
      settled(decideRequests(t.db, demoOwner, { requestIds: demoIds, decision: "approve", baseUrl })),
      settled(decideRequests(t.db, otherOwner, { requestIds: [...otherIds].reverse(), decision: "approve", baseUrl })),
      settled(decideRequests(t.db, admin, { requestIds: ids.filter((_, i) => i % 7 === 0), decision: "deny", comment: "No", baseUrl })),
      ...made.filter((_, i) => i % 6 === 1).map((m) => settled(cancelRequest(t.db, m.user, m.id))),
    ]);
    expect(round1.filter((r) => r !== "ok" && !r.startsWith("conflict")), `round 1: ${round1.join(", ")}`).toEqual([]);
    await expectAgreement("round 1");
    // Round 2, all at once: claims of some approved requests, revokes of others, Lonely archived with revoke (its requests are Lonely's alone).
    const approved = new Set(
      (await t.db.select({ id: accessRequests.id }).from(accessRequests).where(and(inArray(accessRequests.id, ids), eq(accessRequests.status, "approved")))).map((r) => r.id),
    );
    const live = made.filter((m) => approved.has(m.id) && !has(m, lonely.id));
    const claiming = live.filter((_, i) => i % 3 === 0);
    const revoking = live.filter((_, i) => i % 3 !== 0);
    expect(claiming.length).toBeGreaterThan(1);
    expect(revoking.length).toBeGreaterThan(3);
    const round2 = await Promise.all([
      ...claiming.map(async (m) => settled(claimKey(t.db, await latestClaimToken(t.db, m.id, baseUrl), m.user, { prefix }))),
      settled(revokeRequests(t.db, demoOwner, { requestIds: revoking.filter((m) => has(m, payments.id, weather.id)).map((m) => m.id), reason: "Stop", baseUrl })),
      ...revoking.filter((m) => has(m, kiwi.id)).reverse().map((m) => settled(revokeRequests(t.db, otherOwner, { requestIds: [m.id], reason: "Stop", baseUrl }))),
      settled(changeProductStatus(t.db, otherOwner, lonely.id, "archive", { revokeKeys: true, baseUrl })),
    ]);
    expect(round2.filter((r) => r !== "ok" && !r.startsWith("conflict")), `round 2: ${round2.join(", ")}`).toEqual([]);
    expect(round2.filter((r) => r === "ok").length).toBeGreaterThan(3);
    await expectAgreement("round 2");
    await changeProductStatus(t.db, otherOwner, lonely.id, "restore");
    await changeProductStatus(t.db, otherOwner, lonely.id, "publish");
  });
});


// ---------------------------------------------------------------------------------------------------
// The queue against the oracle: a data set with every status, several owners, multi-part requests,
// two plans and dates; each viewer kind; the product filter and the search of a product's name, with
// and without other filters; sorts; paging both ways; capped (cap 3) and uncapped.

const carol = await f.user();
const dave = await f.user();
const free = f.plan("Free");
const ALL_STATUSES = ["pending", "approved", "available", "denied", "cancelled", "revoked", "expired", "completed"] as const;

async function queueDataSet(db: Database) {
  const requesters = [carol, dave, otherOwnerRow, adminRow];
  const combos = [[payments.id], [kiwi.id], [payments.id, kiwi.id], [kiwi.id, lonely.id], [lonely.id], [weather.id, lonely.id], [payments.id, weather.id]];
  const ids: string[] = [];
  for (let i = 0; i < 32; i++) {
    const who = must(requesters[i % requesters.length]);
    const ps = must(combos[i % combos.length]);
    const plan = i % 3 === 0 && ps.every((p) => p !== kiwi.id && p !== lonely.id) ? free.id : standard.id;
    for (const productId of ps) await addToCart(db, who.id, { productId, planId: plan });
    const r = await submitRequest(db, { userId: who.id, baseUrl }, { newAppName: `Q${i}`, reason: i % 2 ? "plain" : "mango" }, {});
    ids.push(r.id);
    await db.update(apps).set({ name: i % 3 ? "orchard" : "grove" }).where(eq(apps.id, r.appId));
  }
  // Statuses through the request only (the triggers carry them to the parts); a few dates.
  for (const [i, id] of ids.entries()) {
    const status = ALL_STATUSES[(i * 3) % ALL_STATUSES.length] ?? "pending";
    await db.update(accessRequests).set({ status }).where(eq(accessRequests.id, id));
    if (i % 4 === 0) await db.update(accessRequests).set({ createdAt: new Date(`2026-01-${10 + (i % 10)}T10:00:00Z`) }).where(eq(accessRequests.id, id));
  }
  return ids;
}

describe("adversary: the queue's product filter and product-name search equal the oracle", async () => {
  // On the main database: the oracle reads every request, so the earlier tests' requests count too.
  await queueDataSet(t.db);
  const viewers: [string, Actor][] = [
    ["admin", admin],
    ["owner of the demo products", demoOwner],
    ["owner of Kiwi and Lonely (and a requester)", otherOwner],
    ["the requester (consumer)", userActor(carol.id, "consumer")],
    ["disabled admin", userActor(adminRow.id, "admin", true)],
    ["disabled owner", userActor(otherOwnerRow.id, "owner", true)],
    ["key: product_viewer Kiwi", apiKeyActor(adminRow.id, [{ role: "product_viewer", products: [kiwi.id] }])],
    ["key: portal_viewer", apiKeyActor(dave.id, [{ role: "portal_viewer" }])],
    ["key: product_approver Payments", apiKeyActor(demoOwnerRow.id, [{ role: "product_approver", products: [payments.id] }])],
  ];
  const viewsFor = (status: string): QueueView[] => [
    { status, product: kiwi.id },
    { status, product: payments.id, sort: "requester", dir: "desc" },
    { status, product: lonely.id, sort: "app" },
    { status, q: "Kiwi" },
    { status, q: "api", sort: "status", dir: "desc" },
    { status, q: "lonely", product: kiwi.id, sort: "plan" },
    { status, q: "kiwi", plan: standard.id, requester: "consumer" },
    { status, product: payments.id, plan: free.id },
    { status, q: "payments", from: "2026-01-01", to: "2026-01-31", sort: "requestedFor" },
    { status, product: weather.id, requester: "owner", sort: "createdAt", dir: "desc" },
  ];
  const check = (actor: Actor, v: QueueView, label: string, opts: PageReadOptions) => expectQueueMatchesOracle(t.db, t.db, actor, v, label, opts);
  for (const [who, actor] of viewers) {
    it(`${who}: every status, capped (3) and uncapped`, { timeout: 300_000 }, async () => {
      await expectAgreement("data set");
      for (const status of [...ALL_STATUSES, "all"]) {
        for (const v of viewsFor(status)) {
          await check(actor, v, who, { cap: 3 });
          await check(actor, v, who, {});
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// The migration on existing data: replayed on a database taken back to before 0031, with a request's
// status changed by the running app in the middle of it (the backfill done, the triggers not yet).

const MIGRATION = readFileSync(path.join(process.cwd(), "drizzle/0031_part_status.sql"), "utf8")
  .split("--> statement-breakpoint")
  .map((s) => s.trim())
  .filter(Boolean);

/**
 * Replays 0031 (`statements`) on a fresh database taken back to the schema before it, while the app
 * (old code, no trigger yet) changes a request's status: `inFlight` false, a change committed right
 * after the backfill statement; true, a change (a claim: approved → available, which writes no part)
 * begun before the migration and committed after its backfill. Returns the parts left disagreeing and
 * what the queue shows for the product filter and the search of a product's name.
 */
async function migrateWhileAppWrites(statements: string[], inFlight: boolean) {
  const m = await isolatedDatabase();
  const mf = await catalogueFixture(m.db);
  const mAdmin = userActor((await mf.user("admin")).id, "admin");
  const u = await mf.user();
  const mPayments = mf.product("payments");
  for (const slug of ["payments", "weather"]) await addToCart(m.db, u.id, { productId: mf.product(slug).id, planId: mf.plan("Standard").id });
  const r = await submitRequest(m.db, { userId: u.id, baseUrl }, { newAppName: "App", reason: "Because" }, {});
  if (inFlight) await decideRequests(m.db, mAdmin, { requestIds: [r.id], decision: "approve", baseUrl });
  // Back to the schema before 0031.
  await m.sql`drop trigger access_requests_status_to_parts on access_requests`;
  await m.sql`drop trigger access_request_products_status on access_request_products`;
  await m.sql`drop function portico_request_status_to_parts()`;
  await m.sql`drop function portico_part_status()`;
  await m.sql`alter table access_request_products drop column status`;

  const migrating = await m.sql.reserve();
  const app = await m.sql.reserve();
  let appDone: Promise<unknown> = Promise.resolve();
  const settle = () => Promise.race([appDone, new Promise((resolve) => setTimeout(resolve, 300))]);
  try {
    if (inFlight) {
      await app`begin`;
      await app`update access_requests set status = 'available' where id = ${r.id}`;
    }
    await migrating`begin`;
    let committed = false;
    // postgres.js sends a query once it is awaited (then), so each is started here on purpose.
    const commitApp = () => {
      if (committed) return;
      committed = true;
      appDone = app`commit`.then(() => undefined);
    };
    for (const statement of statements) {
      const running = migrating.unsafe(statement).then(() => "done");
      // The in-flight change commits as soon as the migration waits for it, or right after the backfill.
      if (inFlight && (await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 300, "blocked"))])) === "blocked") commitApp();
      await running;
      if (/^\s*UPDATE "access_request_products"/i.test(statement)) {
        if (inFlight) commitApp();
        else {
          // The app (old code: no trigger yet) decides the request now, given 300 ms; a migration that
          // locked access_requests first makes it wait for the commit, and the trigger then carries it.
          appDone = app`update access_requests set status = 'approved', decided_at = now() where id = ${r.id}`.then(() => undefined);
          await settle();
        }
      }
    }
    await migrating`commit`;
    await appDone;
  } finally {
    migrating.release();
    app.release();
  }
  const status = inFlight ? "available" : "approved";
  const wrong = await disagreeing(m.db);
  const want = await queueOracle(m.db, mAdmin, { status, product: mPayments.id });
  const got = await readEveryPage(m.db, mAdmin, { status, product: mPayments.id });
  const wantPending = await queueOracle(m.db, mAdmin, { status: "pending", q: "Payments" });
  const gotPending = await readEveryPage(m.db, mAdmin, { status: "pending", q: "Payments" });
  return { actual: { wrong, product: got.forward, searchPending: gotPending.forward }, expected: { wrong: [], product: want, searchPending: wantPending } };
}

describe("adversary: the migration's backfill on existing data", () => {
  it("a status change the running app makes during the backfill waits for the migration (requests locked first) and reaches the parts: the product filter and the pending search stay right", { timeout: 60_000 }, async () => {
    const { actual, expected } = await migrateWhileAppWrites(MIGRATION, false);
    expect(actual).toEqual(expected);
  });

  it("the same with the app's change begun before the migration (a claim, which writes no part): the migration waits for it", { timeout: 60_000 }, async () => {
    const { actual, expected } = await migrateWhileAppWrites(MIGRATION, true);
    expect(actual).toEqual(expected);
  });

  it("the backfill statement run again on a migrated database changes nothing", async () => {
    const updated = await t.sql.unsafe(must(MIGRATION.find((s) => /UPDATE "access_request_products"/.test(s))));
    expect(updated.count).toBe(0);
  });
});
