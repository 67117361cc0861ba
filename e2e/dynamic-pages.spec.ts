import { expect, type Page, test } from "@playwright/test";
import { desc, eq } from "drizzle-orm";
import { accessRequests, emailMessages, plans, products, users, webhookDeliveries, webhookEvents } from "../db/schema";
import { createApiAccessKey } from "../lib/api-access/manage";
import { newEventId } from "../lib/webhooks/emit";
import { TEST_EVENT_TYPE } from "../lib/webhooks/event-types";
import { createWebhookEndpoint } from "../lib/webhooks/manage";
import { e2eDb } from "./db";
import { recordErrors } from "./console-errors";
import { signInAs } from "./helpers";
import { BASE_URL, approvedRequest, claimTokenOf, rememberSecret } from "./keys-helpers";

/**
 * The pages behind an id (a request, an app, a claim link, a key, an endpoint, a message) that the
 * static lists in e2e/console-clean.spec.ts and e2e/phone.spec.ts cannot name (issue 18: "no console
 * errors on any page", "no page wider than the viewport at 390 px"). Each is opened in a browser that
 * records console and page errors, and measured at 390 px. axe in both themes runs wherever a spec
 * calls seriousViolations (e2e/helpers-products.ts).
 */
type Visit = string | { path: string; ready: (page: Page) => Promise<void> };

/**
 * Opens each path at 1280 px and again at 390 px (after `ready`, where what is measured appears
 * after load); none may log an error or be wider than the phone.
 */
async function visitAll(page: Page, visits: readonly Visit[], errors: string[]) {
  for (const visit of visits) {
    const { path, ready } = typeof visit === "string" ? { path: visit, ready: undefined } : visit;
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 800 });
      const response = await page.goto(path);
      expect(response?.status(), path).toBeLessThan(400);
      await page.waitForLoadState("networkidle");
      await expect(page.getByRole("heading", { level: 1 }).first(), path).toBeVisible();
      await ready?.(page);
      if (width === 390) {
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(scrollWidth, `${path} at 390 px`).toBeLessThanOrEqual(390);
      }
    }
  }
  expect(errors).toEqual([]);
}

test("a requester's pages behind an id: the request before and after its key, the claim link, the roll page, the app", async ({ page }) => {
  test.setTimeout(120_000);
  const conn = e2eDb();
  const approved = await approvedRequest(conn, "payments");
  const token = await claimTokenOf(conn, approved.requestId);
  const [request] = await conn.db.select({ appId: accessRequests.appId }).from(accessRequests).where(eq(accessRequests.id, approved.requestId));
  await conn.sql.end();
  await signInAs(page, approved.email);
  const errors = recordErrors(page);
  await visitAll(page, [`/requests/${approved.requestId}`, `/claim/${token}`], errors);
  // The key, made from the request page, so the roll page has a key to roll.
  await page.goto(`/requests/${approved.requestId}`);
  await page.getByRole("button", { name: "Generate key" }).click();
  const key = page.getByTestId("revealed-key");
  await expect(key).toBeVisible();
  rememberSecret(await key.inputValue());
  await visitAll(page, [`/requests/${approved.requestId}`, `/requests/${approved.requestId}/roll`, `/apps/${request?.appId}`], errors);
  // A new app has no calls: its chart is a quiet panel that says so, not an empty axis.
  await page.goto(`/apps/${request?.appId}`);
  await expect(page.getByTestId("app-usage-empty")).toHaveText(/^No calls in the last 30 days\./);
  await expect(page.getByTestId("app-usage").getByRole("img")).toHaveCount(0);
  // Control: the recorder hears an error.
  await page.evaluate(() => console.error("control"));
  expect(errors).toHaveLength(1);
});

test("an owner's pages behind an id: the queue with a request open, a product's form, its preview, a plan", async ({ page }) => {
  test.setTimeout(120_000);
  const conn = e2eDb();
  const decided = await approvedRequest(conn, "weather");
  const [product] = await conn.db.select({ id: products.id }).from(products).where(eq(products.slug, "payments"));
  // A plan this owner owns: the demo plans have no owner, and an owner's edit page for one is a 404.
  const [owner] = await conn.db.select({ id: users.id }).from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("seed data missing");
  const [plan] = await conn.db.insert(plans).values({ name: `Pages ${Math.random().toString(36).slice(2, 8)}`, ownerId: owner.id }).returning({ id: plans.id });
  await conn.sql.end();
  await signInAs(page, "owner@portico.dev");
  const panelOpen = async (p: Page) => expect(p.getByRole("region", { name: "Request details" })).toBeVisible();
  await visitAll(
    page,
    [{ path: `/admin/requests?status=all&open=${decided.requestId}`, ready: panelOpen }, `/admin/products/${product?.id}`, `/preview/${product?.id}`, `/admin/plans/${plan?.id}`],
    recordErrors(page),
  );
});

test("an admin's pages behind an id: an API access key, a webhook endpoint, its form and one message, a mailbox message", async ({ page }) => {
  test.setTimeout(120_000);
  const conn = e2eDb();
  const [admin] = await conn.db.select({ id: users.id }).from(users).where(eq(users.email, "admin@portico.dev"));
  if (!admin) throw new Error("seed data missing");
  const actor = { kind: "user", id: admin.id, role: "admin", disabled: false } as const;
  const tag = Math.random().toString(36).slice(2, 8);
  const { key, token } = await createApiAccessKey(conn.db, actor, { name: `Pages ${tag}`, expiry: "90d", roles: [{ role: "portal_viewer" }], issuer: BASE_URL });
  rememberSecret(token);
  // Created disabled, so no event of another spec is ever queued for it (its address answers nobody),
  // with one message in its log written as delivery leaves a failed one: no job is queued.
  const { endpoint, secret } = await createWebhookEndpoint(
    conn.db,
    actor,
    { name: `Pages ${tag}`, description: "", url: "http://127.0.0.1:9/hook", eventTypes: "all", productIds: "all", enabled: false },
    { allowHttp: true, allowPrivate: true },
  );
  rememberSecret(secret);
  const eventId = newEventId();
  await conn.db.insert(webhookEvents).values({ id: eventId, type: TEST_EVENT_TYPE, body: JSON.stringify({ id: eventId, type: TEST_EVENT_TYPE, timestamp: new Date().toISOString(), data: {} }) });
  const [delivery] = await conn.db
    .insert(webhookDeliveries)
    .values({ eventId, endpointId: endpoint.id, eventType: TEST_EVENT_TYPE, status: "failed", attempts: 1, lastAttemptAt: new Date() })
    .returning({ id: webhookDeliveries.id });
  const deliveryId = delivery?.id;
  const [message] = await conn.db
    .select({ id: emailMessages.id })
    .from(emailMessages)
    .orderBy(desc(emailMessages.createdAt))
    .limit(1);
  await conn.sql.end();
  await signInAs(page, "admin@portico.dev");
  const paths = [`/admin/api-keys/${key.id}`, `/admin/webhooks/${endpoint.id}`, `/admin/webhooks/${endpoint.id}/edit`, `/admin/webhooks/${endpoint.id}/messages/${deliveryId}`];
  if (message) paths.push(`/dev/mailbox/${message.id}`);
  await visitAll(page, paths, recordErrors(page));
});
