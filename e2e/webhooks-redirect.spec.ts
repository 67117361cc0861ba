import { randomBytes } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, productPlans, products, users } from "../db/schema";
import { createApiAccessKey } from "../lib/api-access/manage";
import { userActor } from "../lib/auth/permissions";
import { addToCart } from "../lib/cart/cart-store";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { BASE_URL, claimLinkFor, rememberSecret } from "./keys-helpers";

// Issue 14, "Hand-off to a third party": a plan that redirects the consumer after submitting (Tyk's
// "Redirect Key Request"). The third party is a small node:http checkout page started here; it
// verifies the reference through the REST API with a scoped key, then confirms or cancels.
const conn = e2eDb();
let checkout: Server;
let checkoutOrigin = "";
let planId = "";
let productId = "";
let token = "";

test.beforeAll(async () => {
  checkout = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://checkout.local");
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>Checkout</title><h1>Checkout</h1><p>Plan sku ${url.searchParams.get("sku") ?? ""}</p>`);
  });
  await new Promise<void>((resolve) => checkout.listen(0, "127.0.0.1", resolve));
  checkoutOrigin = `http://127.0.0.1:${(checkout.address() as AddressInfo).port}`;

  const tag = randomBytes(3).toString("hex");
  const [payments] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  if (!payments) throw new Error("demo data missing");
  productId = payments.id;
  // The plan's redirect URL is set in the database (the plan form's field is another part of the issue).
  // Auto-approve too: the redirect wins and the request waits for the third party.
  const [plan] = await conn.db.insert(plans).values({ name: `Checkout ${tag}`, autoApprove: true, redirectUrl: `${checkoutOrigin}/pay?sku=gold` }).returning();
  if (!plan) throw new Error("plan insert");
  planId = plan.id;
  await conn.db.insert(productPlans).values({ productId, planId });

  const [admin] = await conn.db.insert(users).values({ email: `billing-admin-${tag}@example.com`, name: "Bea Billing", role: "admin" }).returning();
  if (!admin) throw new Error("admin insert");
  const key = await createApiAccessKey(conn.db, userActor(admin), {
    name: `Billing system ${tag}`,
    expiry: "30d",
    roles: [{ role: "product_approver", products: [productId] }],
    issuer: BASE_URL,
  });
  token = key.token;
  rememberSecret(token);
});

test.afterAll(async () => {
  await new Promise((r) => checkout.close(r));
  await conn.sql.end();
});

const api = (method: string, path: string, body: unknown) =>
  fetch(`${BASE_URL}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });

/** A new consumer submits the redirecting plan in the browser and lands on the checkout page; returns what it carried. */
async function submitAndLandOnCheckout(page: Page) {
  const email = `redirect-${randomBytes(4).toString("hex")}@example.com`;
  const [consumer] = await conn.db.insert(users).values({ email, name: "Rio Redirect" }).returning();
  if (!consumer) throw new Error("consumer insert");
  await addToCart(conn.db, consumer.id, { productId, planId });
  await signInAs(page, email, "/cart");
  await expect(page.getByText(`After you submit, you continue at ${new URL(checkoutOrigin).host} to confirm`)).toBeVisible();
  await page.getByLabel("New app name").fill("Shop front");
  await page.getByLabel("Why do you need access?").fill("Card payments for the shop");
  await page.getByRole("button", { name: "Submit request" }).click();

  await page.waitForURL((url) => url.origin === checkoutOrigin && url.pathname === "/pay");
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await expect(page.getByText("Plan sku gold")).toBeVisible();
  const landed = new URL(page.url());
  const requestId = landed.searchParams.get("portico_request") ?? "";
  const reference = landed.searchParams.get("portico_reference") ?? "";
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const [row] = await conn.sql`select status from access_requests where id = ${requestId} and requester_id = ${consumer.id}`;
  expect(row?.status).toBe("pending");
  return { email, requestId, reference };
}

/** The third party's first call: the reference names the request (checked with the scoped key). */
async function verifyReference(reference: string, requestId: string) {
  const res = await api("POST", "/handoff-references/verify", { reference });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { request: { id: string; status: string; products: { name: string }[] } };
  expect(body.request).toMatchObject({ id: requestId, status: "pending", products: [{ name: "Payments API" }] });
}

test("redirect: the consumer lands on the third party's checkout with a reference; the third party verifies and confirms; the consumer gets the approval email", async ({ page }) => {
  test.setTimeout(180_000);
  const { email, requestId, reference } = await submitAndLandOnCheckout(page);
  await verifyReference(reference, requestId);

  // Meanwhile the request page says it waits, and Continue goes back with a fresh reference.
  await page.goto(`/requests/${requestId}`);
  const handoff = page.getByTestId("handoff");
  await expect(handoff.getByRole("heading", { name: "Waiting for the third party to confirm" })).toBeVisible();
  await expect(page.getByTestId("request-status")).toContainText("Pending");
  await handoff.getByRole("button", { name: `Continue at ${new URL(checkoutOrigin).host}` }).click();
  await page.waitForURL((url) => url.origin === checkoutOrigin);
  const again = new URL(page.url());
  expect(again.searchParams.get("portico_request")).toBe(requestId);
  await verifyReference(again.searchParams.get("portico_reference") ?? "", requestId);

  // The third party confirms with the approve operation: the consumer is emailed the claim link.
  const approved = await api("POST", `/access-requests/${requestId}/approve`, { comment: "Paid." });
  expect(approved.status).toBe(200);
  expect(((await approved.json()) as { status: string }).status).toBe("approved");
  const claimLink = await claimLinkFor(page, email);
  expect(claimLink).toMatch(/\/claim\//);
  rememberSecret(claimLink.slice(claimLink.lastIndexOf("/") + 1));
  await page.goto(`/requests/${requestId}`);
  await expect(page.getByTestId("request-status")).toContainText("Approved");
  await expect(page.getByTestId("handoff")).toHaveCount(0);
});

test("redirect: the third party cancels; the request shows cancelled and the consumer is emailed", async ({ page }) => {
  test.setTimeout(180_000);
  const { email, requestId, reference } = await submitAndLandOnCheckout(page);
  await verifyReference(reference, requestId);

  const cancelled = await api("POST", `/access-requests/${requestId}/cancel`, { comment: "The checkout was abandoned." });
  expect(cancelled.status).toBe(200);
  expect(((await cancelled.json()) as { status: string }).status).toBe("cancelled");
  const [event] = await conn.sql`select a.comment, u.name from audit_events a join users u on u.id = a.actor_id
    where a.subject_id = ${requestId} and a.action = 'request.cancelled'`;
  expect(event?.comment).toBe("The checkout was abandoned.");
  expect(String(event?.name)).toMatch(/^Billing system /);

  await page.goto(`/requests/${requestId}`);
  await expect(page.getByTestId("request-status")).toContainText("Cancelled");
  await expect(page.getByTestId("handoff")).toHaveCount(0);
  await expect(page.getByText("The checkout was abandoned.")).toBeVisible();

  await page.goto("/dev/mailbox");
  await expect(page.locator('li[data-template="cancelled"]').filter({ hasText: email }).first()).toBeVisible({ timeout: 15_000 });
  // a second cancel changes nothing
  expect((await api("POST", `/access-requests/${requestId}/cancel`, {})).status).toBe(409);
});
