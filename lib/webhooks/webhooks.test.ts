import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";
import type { Actor } from "@/lib/auth/permissions";
import { addToCart } from "@/lib/cart/cart-store";
import { decideRequests } from "@/lib/requests/decide-requests";
import { submitRequest } from "@/lib/requests/submit-request";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { refusal } from "@/tests/requests";
import { startWebhookReceiver } from "@/tests/webhook-receiver";
import { deliverWebhook } from "./deliver";
import { createWebhookEndpoint, rotateWebhookSecret } from "./manage";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const receiver = await startWebhookReceiver();
afterAll(() => receiver.close());
const open = { allowHttp: true, allowPrivate: true };
const baseUrl = "http://portal.test";
const opts = { baseUrl, policy: open, delays: [0, 0, 0, 0, 0, 0, 0, 0] };
let admin: Actor;
let endpointId: string;

const asActor = (u: { id: string; role: "consumer" | "owner" | "admin" }): Actor => ({ kind: "user", id: u.id, role: u.role, disabled: false });
const deliveriesOf = (eventId: string) => t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId));

async function submit() {
  const u = await f.user();
  await addToCart(t.db, u.id, { productId: f.product("payments").id, planId: f.plan("Standard").id });
  return { user: u, request: await submitRequest(t.db, { userId: u.id, baseUrl }, { newAppName: "Hook app", reason: "Because" }, {}) };
}

/** Runs every due delivery once, as the worker's jobs would. */
async function runDue() {
  const due = await t.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(sql`${webhookDeliveries.status} = 'pending' and ${webhookDeliveries.nextAttemptAt} <= now()`);
  for (const d of due) await deliverWebhook(t.db, d.id, opts);
}

beforeAll(async () => {
  admin = asActor(await f.user("admin"));
  const { endpoint, secret } = await createWebhookEndpoint(t.db, admin, { name: "Receiver", url: receiver.url, eventTypes: "all", productIds: "all" }, open);
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  receiver.setSecret(secret);
  endpointId = endpoint.id;
});

describe("webhooks", () => {
  it("a submitted request is posted once, signed per Standard Webhooks, with the request, app, consumer, products and plan", async () => {
    const { user, request } = await submit();
    await runDue();
    const [got] = receiver.ofType("access_request.created").filter((m) => (m.body.data as { request: { id: string } }).request.id === request.id);
    expect(got?.verified).toBe(true);
    expect(got?.body).toMatchObject({
      type: "access_request.created",
      data: { consumer: { id: user.id, email: user.email }, products: [{ slug: "payments" }], plan: { name: "Standard" }, app: { name: "Hook app" } },
    });
    expect(got?.body.id).toBe(got?.id);
    expect(got?.raw).not.toMatch(/ptk_|claim|token/i);
  });

  it("a rolled-back change writes no event; a committed decision does", async () => {
    const before = (await t.db.select({ n: sql<number>`count(*)::int` }).from(webhookEvents))[0]?.n;
    const { request } = await submit();
    await t.db
      .transaction(async (tx) => {
        await decideRequests(tx as never, admin, { requestIds: [request.id], decision: "deny", comment: "no", baseUrl });
        throw new Error("rollback");
      })
      .catch(() => {});
    const after = (await t.db.select({ n: sql<number>`count(*)::int` }).from(webhookEvents))[0]?.n;
    expect(after).toBe((before ?? 0) + 1); // only the submit
    await decideRequests(t.db, admin, { requestIds: [request.id], decision: "deny", comment: "Not for this app", baseUrl });
    await runDue();
    const denied = receiver.ofType("access_request.denied").find((m) => (m.body.data as { request: { id: string } }).request.id === request.id);
    expect(denied?.body.data).toMatchObject({ comment: "Not for this app", request: { status: "denied" } });
  });

  it("a failing receiver gets the same webhook-id on every retry; the log keeps each attempt", async () => {
    receiver.failNext(3);
    const { request } = await submit();
    for (let i = 0; i < 4; i++) await runDue();
    const [event] = await t.db.select().from(webhookEvents).where(sql`${webhookEvents.body}::jsonb #>> '{data,request,id}' = ${request.id}`);
    const eventId = event?.id ?? "missing";
    const [delivery] = await deliveriesOf(eventId);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 4 });
    const attempts = await t.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, delivery?.id ?? "missing")).orderBy(webhookAttempts.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 204]);
    expect(attempts[0]?.responseBody).toBe("receiver failing on purpose");
    expect(new Set(receiver.attempts.filter((a) => a.id === eventId).map((a) => a.id)).size).toBe(1);
    expect(receiver.attempts.filter((a) => a.id === eventId)).toHaveLength(4);
  });

  it("after a rotation both secrets sign for a day, so a receiver on either verifies", async () => {
    const { secret: newSecret } = await rotateWebhookSecret(t.db, admin, endpointId);
    await submit();
    await runDue();
    const last = receiver.attempts.at(-1);
    expect(String(last?.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(last?.verified).toBe(true); // still on the old secret
    receiver.setSecret(newSecret);
    await submit();
    await runDue();
    expect(receiver.attempts.at(-1)?.verified).toBe(true);
  });

  it("refuses private targets unless allowed, and http unless allowed", async () => {
    const strict = { allowHttp: false, allowPrivate: false };
    const input = { name: "Bad", eventTypes: "all" as const, productIds: "all" as const };
    expect(await refusal(createWebhookEndpoint(t.db, admin, { ...input, url: "https://127.0.0.1/x" }, strict))).toMatch(/invalid/);
    expect(await refusal(createWebhookEndpoint(t.db, admin, { ...input, url: "https://169.254.169.254/latest" }, strict))).toMatch(/invalid/);
    expect(await refusal(createWebhookEndpoint(t.db, admin, { ...input, url: "http://93.184.215.14/x" }, strict))).toMatch(/invalid/);
    expect(await refusal(createWebhookEndpoint(t.db, admin, { ...input, url: "https://[::ffff:10.0.0.1]/x" }, strict))).toMatch(/invalid/);
    expect(await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.name, "Bad"))).toEqual([]);
  });

  it("only admins manage endpoints", async () => {
    const owner = asActor(await f.user("owner"));
    expect(await refusal(createWebhookEndpoint(t.db, owner, { name: "Owner's", url: receiver.url, eventTypes: "all", productIds: "all" }, open))).toMatch(/^forbidden/);
  });
});
