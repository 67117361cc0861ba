import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { accessRequests, productPlans, products, users, webhookEndpoints } from "../db/schema";
import { createApiAccessKey } from "../lib/api-access/manage";
import { addToCart } from "../lib/cart/cart-store";
import { createWebhookEndpoint } from "../lib/webhooks/manage";
import { type Received, startWebhookReceiver } from "../tests/webhook-receiver";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { BASE_URL, claimFromMailbox, rememberSecret } from "./keys-helpers";

const conn = e2eDb();

type RequestEvent = { request: { id: string; status: string }; plan: { id: string; name: string }; handoff?: { endpointId: string; endpointName: string; timeoutAt: string; fellBackAt: string | null } };
const dataOf = (m: Received) => m.body.data as RequestEvent;

// The "Proven" for the hand-off: a third party, told by a signed webhook, decides through the
// REST API with a scoped key; the consumer claims the key; the third party hears of the approval and the key.
test("an External plan's request waits for the third party, which approves it through the REST API from its webhook handler", async ({ page, browser }) => {
  test.setTimeout(240_000);
  const tag = randomBytes(4).toString("hex");
  const [payments] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  if (!payments) throw new Error("demo data missing");
  const adminEmail = `handoff-admin-${tag}@example.com`;
  const [admin] = await conn.db.insert(users).values({ email: adminEmail, name: "Hana Admin", role: "admin" }).returning();
  if (!admin) throw new Error("no admin");
  const adminActor = { kind: "user" as const, id: admin.id, role: "admin" as const, disabled: false };

  // The third party's handler: on a new request handed to it, it approves through the API once the
  // test has seen the request waiting in the queue.
  let queueChecked: () => void = () => {};
  const mayDecide = new Promise<void>((resolve) => {
    queueChecked = resolve;
  });
  const decisions: { requestId: string; status: number; body: Record<string, unknown> }[] = [];
  let token = "";
  let apiKeyId = "";
  let endpointName = "";
  const receiver = await startWebhookReceiver({
    onMessage: async (m) => {
      const data = dataOf(m);
      if (m.type !== "access_request.created" || data.handoff?.endpointName !== endpointName) return;
      await mayDecide;
      const response = await fetch(`${BASE_URL}/api/v1/access-requests/${data.request.id}/approve`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ comment: `Paid: invoice INV-${tag}` }),
      }).catch(() => null);
      decisions.push({ requestId: data.request.id, status: response?.status ?? 0, body: ((await response?.json().catch(() => ({}))) ?? {}) as Record<string, unknown> });
    },
  });

  let endpointId = "";
  let planId = "";
  try {
    // 1. Setup an admin would do (the Webhooks and API keys pages have their own specs): an endpoint
    //    pointing at the receiver, and a Product approver key for Payments.
    endpointName = `Billing ${tag}`;
    const { endpoint, secret } = await createWebhookEndpoint(
      conn.db,
      adminActor,
      { name: endpointName, url: receiver.url, eventTypes: "all", productIds: [payments.id] },
      { allowHttp: true, allowPrivate: true },
    );
    endpointId = endpoint.id;
    rememberSecret(secret);
    receiver.setSecret(secret);
    const key = await createApiAccessKey(conn.db, adminActor, {
      name: `Billing approver ${tag}`,
      expiry: "30d",
      roles: [{ role: "product_approver", products: [payments.id] }],
      issuer: BASE_URL,
    });
    token = key.token;
    apiKeyId = key.key.id;
    rememberSecret(token);

    // 2. The admin makes the plan External on that endpoint, in the plan form.
    await signInAs(page, adminEmail, "/admin/plans/new");
    const planName = `Paid ${tag}`;
    await page.getByLabel("Name", { exact: true }).fill(planName);
    await page.getByLabel("External: a third party decides").check();
    await page.getByLabel("Webhook endpoint", { exact: true }).selectOption({ label: endpointName });
    await expect(page.getByLabel("Hand-off timeout (hours)")).toHaveValue("72");
    await page.getByRole("button", { name: "Create plan" }).click();
    await expect(page).toHaveURL(/\/admin\/plans\/[0-9a-f-]{36}\?created=1/);
    planId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    await expect(page.getByLabel("External: a third party decides")).toBeChecked();
    await expect(page.getByLabel("Webhook endpoint", { exact: true })).toHaveValue(endpointId);
    // Offered on Payments for this test only (removed below, so the demo catalogue stays as it was).
    await conn.db.insert(productPlans).values({ productId: payments.id, planId });

    // 3. A consumer submits on the External plan in the browser.
    const consumerEmail = `handoff-${tag}@example.com`;
    const [consumer] = await conn.db.insert(users).values({ email: consumerEmail, name: `Cy ${tag}` }).returning();
    if (!consumer) throw new Error("no consumer");
    await addToCart(conn.db, consumer.id, { productId: payments.id, planId });
    const buyer = await browser.newContext();
    const consumerPage = await buyer.newPage();
    await signInAs(consumerPage, consumerEmail, "/cart");
    await consumerPage.getByLabel("App", { exact: true }).selectOption({ label: "+ Create a new app" });
    await consumerPage.getByLabel("New app name").fill(`Shop ${tag}`);
    const reason = `Paid access ${tag}`;
    await consumerPage.getByLabel("Why do you need access?").fill(reason);
    await consumerPage.getByRole("button", { name: "Submit request" }).click();
    await expect(consumerPage).toHaveURL(/\/requests\/[0-9a-f-]{36}(\?submitted=1)?$/);
    const requestId = new URL(consumerPage.url()).pathname.split("/").at(-1) ?? "";
    await expect(consumerPage.getByTestId("request-status")).toContainText("Pending");
    await expect(consumerPage.getByTestId("request-status")).toContainText("Waiting for a third-party decision");

    // 4. The receiver gets access_request.created, signed (verified with standardwebhooks), saying it is handed off.
    await expect.poll(() => receiver.ofType("access_request.created").filter((m) => dataOf(m).request.id === requestId).length, { timeout: 30_000 }).toBe(1);
    const [created] = receiver.ofType("access_request.created").filter((m) => dataOf(m).request.id === requestId);
    expect(created?.verified).toBe(true);
    expect(created?.body).toMatchObject({
      type: "access_request.created",
      data: { request: { id: requestId, status: "pending" }, plan: { id: planId, name: planName }, handoff: { endpointId, endpointName, fellBackAt: null } },
    });
    expect(created?.raw).not.toMatch(/ptk_|\/claim\//);

    // 5. Meanwhile the queue shows it waiting for the endpoint.
    await page.goto(`/admin/requests?status=pending&q=${encodeURIComponent(reason)}`);
    const row = page.getByRole("row").filter({ hasText: consumerEmail });
    await expect(row).toContainText(`Waiting for ${endpointName}`);
    const [waiting] = await conn.db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
    expect(waiting).toMatchObject({ status: "pending", handoffFallbackAt: null });
    expect(decisions).toEqual([]);

    // 6. The third party's handler approves through the REST API with its scoped key.
    queueChecked();
    await expect.poll(() => decisions.length, { timeout: 30_000 }).toBe(1);
    expect(decisions[0]).toMatchObject({ requestId, status: 200, body: { id: requestId, status: "approved" } });
    // The audit trail names the key as the approver.
    const [approvedEvent] = await conn.sql`select a.actor_id, u.name from audit_events a join users u on u.id = a.actor_id
      where a.subject_id = ${requestId} and a.action = 'request.approved'`;
    expect(approvedEvent?.name).toBe(`Billing approver ${tag}`);

    // 7. The consumer gets the approval email and claims the key (shown once), signing in afresh from the mail.
    await buyer.close();
    const claimer = await browser.newContext();
    const { key: apiKey } = await claimFromMailbox(await claimer.newPage(), consumerEmail);
    await claimer.close();
    expect(apiKey).toMatch(/^ptk_/);

    // 8. The receiver hears of the approval and of the key (never the key itself).
    const about = (type: string) => receiver.ofType(type).filter((m) => dataOf(m).request.id === requestId);
    await expect.poll(() => about("access_request.approved").length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => about("key.created").length, { timeout: 30_000 }).toBe(1);
    for (const m of [...about("access_request.approved"), ...about("key.created")]) {
      expect(m.verified).toBe(true);
      expect(m.raw).not.toContain(apiKey);
    }
    expect(about("access_request.approved")[0]?.body).toMatchObject({ data: { request: { status: "approved" }, actor: { type: "api_key", id: apiKeyId, name: `Billing approver ${tag}` } } });

    // Decided: the queue no longer says it waits for anyone.
    await page.goto(`/admin/requests?status=all&q=${encodeURIComponent(reason)}`);
    await expect(page.getByRole("row").filter({ hasText: consumerEmail })).not.toContainText("Waiting for");
  } finally {
    // Leave the shared e2e database as other specs expect it: no live endpoint, the demo product's plans unchanged.
    if (endpointId) await conn.db.update(webhookEndpoints).set({ enabled: false, disabledReason: "admin" }).where(eq(webhookEndpoints.id, endpointId));
    if (planId) await conn.db.delete(productPlans).where(and(eq(productPlans.productId, payments.id), eq(productPlans.planId, planId)));
    await receiver.close();
    await conn.sql.end();
  }
});
