import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { refusal } from "@/tests/requests";
import { startWebhookReceiver } from "@/tests/webhook-receiver";
import { deliverWebhook } from "./deliver";
import { newEventId } from "./emit";
import { createWebhookEndpoint, sendTestEvent } from "./manage";
import { getWebhookEndpoint, getWebhookMessage, listWebhookDeliveries, listWebhookEndpoints } from "./queries";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const receiver = await startWebhookReceiver();
afterAll(() => receiver.close());
const open = { allowHttp: true, allowPrivate: true };
const opts = { baseUrl: "http://portal.test", policy: open, delays: [0, 0, 0, 0, 0, 0, 0, 0] };
const asActor = (u: { id: string; role: "consumer" | "owner" | "admin" }): Actor => ({ kind: "user", id: u.id, role: u.role, disabled: false });

let admin: Actor;
let endpointId: string;
let quietId: string;

/** A message in the log at a chosen time and state (the log reads rows; how they came is deliver.ts's test). */
async function logged(type: string, status: "pending" | "succeeded" | "failed", createdAt: Date, endpoint = endpointId) {
  const eventId = newEventId();
  await t.db.insert(webhookEvents).values({ id: eventId, type, body: JSON.stringify({ id: eventId, type }), createdAt });
  const [d] = await t.db.insert(webhookDeliveries).values({ eventId, endpointId: endpoint, eventType: type, status, createdAt, nextAttemptAt: createdAt }).returning();
  if (!d) throw new Error("delivery");
  return d;
}

beforeAll(async () => {
  admin = asActor(await f.user("admin"));
  const made = await createWebhookEndpoint(t.db, admin, { name: "Log receiver", url: receiver.url, eventTypes: "all", productIds: "all" }, open);
  receiver.setSecret(made.secret);
  endpointId = made.endpoint.id;
  const quiet = await createWebhookEndpoint(
    t.db,
    admin,
    { name: "Quiet", url: receiver.url, eventTypes: ["key.created", "key.revoked", "product.published"], productIds: [f.product("payments").id], enabled: false },
    open,
  );
  quietId = quiet.endpoint.id;
});

describe("webhook queries", () => {
  it("lists endpoints with their health and never the secrets; a test event's attempts show in it", async () => {
    receiver.failNext(1);
    const { deliveryId } = await sendTestEvent(t.db, admin, endpointId);
    await deliverWebhook(t.db, deliveryId, opts); // 500
    await logged("key.created", "failed", new Date(Date.now() - 2 * 3_600_000));
    await logged("key.created", "succeeded", new Date(Date.now() - 48 * 3_600_000)); // older than a day: not counted
    const rows = await listWebhookEndpoints(t.db, admin);
    const row = rows.find((r) => r.id === endpointId);
    expect(row).toMatchObject({ name: "Log receiver", enabled: true, disabledReason: null, eventTypes: null, productNames: null, last24h: { succeeded: 0, failed: 1, pending: 1 } });
    expect(row?.lastAttempt).toMatchObject({ statusCode: 500, succeeded: false });
    expect(row?.lastAttempt?.at).toBeInstanceOf(Date);
    expect(row?.failingSince).toBeInstanceOf(Date);
    const quiet = rows.find((r) => r.id === quietId);
    expect(quiet).toMatchObject({ enabled: false, disabledReason: "admin", productNames: ["Payments API"], lastAttempt: null, last24h: { succeeded: 0, failed: 0, pending: 0 } });
    for (const r of rows) expect(Object.keys(r).filter((k) => /secret/i.test(k) && k !== "previousSecretExpiresAt")).toEqual([]);
    expect(JSON.stringify(rows)).not.toMatch(/whsec_|eyJ/);

    const one = await getWebhookEndpoint(t.db, admin, endpointId);
    expect(one).toMatchObject({ id: endpointId, name: "Log receiver" });
    expect(Object.keys(one ?? {})).not.toContain("secret");
    expect(Object.keys(one ?? {})).not.toContain("previousSecret");
    expect(await getWebhookEndpoint(t.db, admin, "not-a-uuid\u0000")).toBeNull();
    expect(await getWebhookEndpoint(t.db, admin, crypto.randomUUID())).toBeNull();

    // The message: its attempt (status, duration, response) and the exact JSON sent.
    await deliverWebhook(t.db, deliveryId, opts); // 204
    const message = await getWebhookMessage(t.db, admin, endpointId, deliveryId);
    expect(message).toMatchObject({ eventType: "webhook.test", status: "succeeded", attempts: 2, lastStatusCode: 204 });
    expect(message?.attemptsList.map((a) => [a.statusCode, a.succeeded])).toEqual([
      [500, false],
      [204, true],
    ]);
    expect(message?.attemptsList[0]?.responseBody).toBe("receiver failing on purpose");
    expect(message?.attemptsList[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(message?.body ?? "{}")).toMatchObject({ id: message?.eventId, type: "webhook.test" });
    // Not through another endpoint's id.
    expect(await getWebhookMessage(t.db, admin, quietId, deliveryId)).toBeNull();
  });

  it("pages the log newest first without losing or repeating a message, also among equal times; filters by type and status", async () => {
    const made = await createWebhookEndpoint(t.db, admin, { name: "Paged", url: receiver.url, eventTypes: "all", productIds: "all" }, open);
    const id = made.endpoint.id;
    const same = new Date(Date.now() - 60_000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await logged("key.created", i % 2 ? "failed" : "succeeded", same, id)).id);
    for (let i = 0; i < 4; i++) ids.push((await logged("access_request.created", "pending", new Date(same.getTime() - (i + 1) * 1000), id)).id);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const p = await listWebhookDeliveries(t.db, admin, id, { cursor }, 2);
      seen.push(...p.items.map((r) => r.id));
      cursor = p.next ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(9);
    expect(seen.toSorted()).toEqual(ids.toSorted());
    const all = await listWebhookDeliveries(t.db, admin, id, {});
    expect(all.items.map((r) => r.id)).toEqual(seen);
    expect(all.next).toBeNull();
    // newest first
    const times = all.items.map((r) => r.createdAt.getTime());
    expect(times).toEqual(times.toSorted((a, b) => b - a));

    expect((await listWebhookDeliveries(t.db, admin, id, { type: "access_request.created" })).items).toHaveLength(4);
    expect((await listWebhookDeliveries(t.db, admin, id, { status: "failed" })).items).toHaveLength(2);
    expect((await listWebhookDeliveries(t.db, admin, id, { type: "key.created", status: "succeeded" })).items).toHaveLength(3);
    expect((await listWebhookDeliveries(t.db, admin, id, { type: "key.revoked" })).items).toEqual([]);
    // Another endpoint's messages are not in this log.
    expect((await listWebhookDeliveries(t.db, admin, quietId, {})).items).toEqual([]);
  });

  it("refuses a cursor it did not give, and everyone but admins", async () => {
    const forged = Buffer.from(JSON.stringify({ v: "yesterday", id: "x" })).toString("base64url");
    expect(await refusal(listWebhookDeliveries(t.db, admin, endpointId, { cursor: forged }))).toMatch(/^invalid/);
    expect(await refusal(listWebhookDeliveries(t.db, admin, endpointId, { cursor: "%%%" }))).toMatch(/^invalid/);
    for (const role of ["owner", "consumer"] as const) {
      const someone = asActor(await f.user(role));
      expect(await refusal(listWebhookEndpoints(t.db, someone))).toMatch(/^forbidden/);
      expect(await refusal(getWebhookEndpoint(t.db, someone, endpointId))).toMatch(/^forbidden/);
      expect(await refusal(listWebhookDeliveries(t.db, someone, endpointId, {}))).toMatch(/^forbidden/);
      expect(await refusal(getWebhookMessage(t.db, someone, endpointId, crypto.randomUUID()))).toMatch(/^forbidden/);
    }
    const attempts = await t.db.select().from(webhookAttempts).where(eq(webhookAttempts.endpointId, endpointId));
    expect(attempts.length).toBeGreaterThan(0);
  });
});
