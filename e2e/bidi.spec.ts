import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { auditEvents, plans, productPlans, products, users } from "../db/schema";
import { createApiAccessKey } from "../lib/api-access/manage";
import { addToCart } from "../lib/cart/cart-store";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb } from "./db";
import { boxOf, readsLeftToRight, signInAs } from "./helpers";
import { BASE_URL, pendingRequest, planOnItsOwnProduct, rememberSecret } from "./keys-helpers";

// What people type (names, addresses, product and app names) is isolated for bidi where it sits among
// the portal's own words, and only it: found by an adversarial review (2026-12-07), the first two
// failed on the code they were written against.
const conn = e2eDb();
test.afterAll(() => conn.sql.end());
const tag = () => randomBytes(4).toString("hex");

async function auditedUser(name: string, email: string) {
  const [admin] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  const [person] = await conn.db.insert(users).values({ email, name }).returning();
  if (!admin || !person) throw new Error("seed");
  await conn.db.insert(auditEvents).values({ actorId: admin.id, action: "user.role_changed", subjectType: "user", subjectId: person.id, data: { from: "consumer", to: "owner" } });
  return person;
}

// The audit log's labels join names and the portal's words: "<name> (<email>)", "<products> for
// <app>", "<plan> plan". Isolated whole (one <bdi>, dir=auto), a label starting with a right-to-left
// letter took that direction: "דנה כהן (dana@example.com)" showed as "(dana@example.com) דנה כהן".
test("audit log: a person's subject label keeps its name before its address when the name is Hebrew", async ({ page }) => {
  const t = tag();
  const email = `dana-${t}@example.com`;
  const person = await auditedUser(`דנה כהן ${t}`, email);
  await signInAs(page, "admin@portico.dev", `/admin/audit?subjectType=user&subjectId=${person.id}`);
  const subject = page.getByTestId("audit-subject").first();
  await expect(subject).toContainText(email);
  const name = await boxOf(subject, "דנה");
  const address = await boxOf(subject, `dana-${t}`);
  // Read as lines: the name on an earlier line, or on the same line to the left.
  const nameFirst = name.top < address.top - 4 || (Math.abs(name.top - address.top) <= 4 && name.left < address.left);
  expect(nameFirst, `the name ${JSON.stringify(name)} comes before the address ${JSON.stringify(address)}`).toBe(true);
});

// The audit timeline's description, "Everything that happened to <label>, newest first.": a
// right-to-left override in a person's name reversed ", newest first." after it.
test("audit timeline: a name with a right-to-left override does not reverse the rest of the description", async ({ page }) => {
  const t = tag();
  const person = await auditedUser(`Mallory \u202E${t}`, `rlo-audit-${t}@example.com`);
  await signInAs(page, "admin@portico.dev", `/admin/audit?subjectType=user&subjectId=${person.id}`);
  const description = page.getByRole("main").locator("p", { hasText: "Everything that happened to" });
  await expect(description).toContainText("newest first");
  expect(await readsLeftToRight(description, "newest"), `"newest" is not drawn backwards`).toBe(true);
});

// Names holding the other bidi controls (unterminated RLI/FSI, a stray PDI, an RLE) and text that
// looks like markup stay inside their own <bdi> on the queue panel's approvals line, and stay text.
test("approvals line: unterminated isolates, embeddings and markup in a name do not leak", async ({ page }) => {
  const t = tag();
  const names = [`Rli \u2067${t}a`, `Fsi \u2068שלום ${t}b`, `Pdi \u2069\u202B${t}c`, `<img src=x onerror="window.__pwned=1"> ${t}d`];
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  const [p] = await conn.db.select().from(products).where(eq(products.slug, "fx-rates"));
  const [plan] = await conn.db.select().from(plans).where(eq(plans.name, "Enterprise"));
  if (!owner || !p || !plan) throw new Error("seed");
  await signInAs(page, "admin@portico.dev");
  for (const [i, name] of names.entries()) {
    const [approver] = await conn.db.insert(users).values({ email: `bidi-${i}-${t}@example.com`, name, role: "admin" }).returning();
    const [requester] = await conn.db.insert(users).values({ email: `bidi-req-${i}-${t}@example.com`, name: `Rhea ${t}` }).returning();
    if (!approver || !requester) throw new Error("seed");
    await addToCart(conn.db, requester.id, { productId: p.id, planId: plan.id });
    const r = await submitRequest(conn.db, { userId: requester.id, baseUrl: BASE_URL }, { newAppName: `App ${t}`, reason: `Reason ${t}` }, { company: "Acme", environment: "Sandbox" });
    // The owner approves last, so his name ends the line after the hostile one.
    for (const actor of [approver, owner]) {
      await decideRequests(conn.db, { kind: "user", id: actor.id, role: actor.role, disabled: false }, { requestIds: [r.id], decision: "approve", baseUrl: BASE_URL });
    }
    await page.goto(`/admin/requests?status=all&open=${r.id}`);
    const panel = page.getByRole("region", { name: "Request details" });
    const approvals = panel.getByTestId("request-facts").locator("dd").last();
    await expect(approvals, name).toContainText("Omar Owner)");
    expect(await readsLeftToRight(approvals, "Owner"), name).toBe(true);
    expect(await readsLeftToRight(approvals, "Omar"), name).toBe(true);
    await expect(approvals.locator("img")).toHaveCount(0);
  }
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

// A name in the middle of a sentence: the API access key's Remove step, "Remove <name>? Its token
// stops working at once." A right-to-left override in the name reversed the sentence after it.
test("API access key's Remove step: an override in the key's name does not reverse the sentence after it", async ({ page }) => {
  const t = tag();
  const [admin] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  if (!admin) throw new Error("seed");
  const name = `Sync \u202E${t}`;
  const { token } = await createApiAccessKey(conn.db, { kind: "user", id: admin.id, role: "admin", disabled: false }, { name, expiry: "90d", roles: [{ role: "portal_viewer" }], issuer: BASE_URL });
  rememberSecret(token);
  await signInAs(page, "admin@portico.dev", "/admin/api-keys");
  await page.getByRole("button", { name: `Remove ${name}` }).click();
  const sentence = page.getByRole("group", { name: `Remove ${name}?` }).locator("p").first();
  await expect(sentence).toContainText("stops working");
  expect(await readsLeftToRight(sentence, "token"), `"token" is not drawn backwards`).toBe(true);
});

// A list of names in a sentence (TypedList, components/label-parts.tsx): the bulk decision's
// "<products> for <app>". A product's name ending in a right-to-left override reversed " for <app>".
test("bulk decision list: an override in a product's name does not reverse \"for\" and the app after it", async ({ page }) => {
  const t = tag();
  const [owner] = await conn.db.insert(users).values({ email: `bidi-owner-${t}@example.com`, name: `Bidi owner ${t}`, role: "owner" }).returning();
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!owner || !standard) throw new Error("seed");
  const [product] = await conn.db.insert(products).values({ slug: `bidi-${t}`, name: `Rlo \u202E${t}`, ownerId: owner.id, status: "published" }).returning();
  if (!product) throw new Error("product");
  await conn.db.insert(productPlans).values({ productId: product.id, planId: standard.id });
  const request = await pendingRequest(conn, product.slug);
  await signInAs(page, owner.email, "/admin/requests");
  const region = page.getByRole("region", { name: "Bulk decision" });
  // Checked again until the table has hydrated and shows the bulk bar.
  await expect(async () => {
    const box = page.getByRole("checkbox", { name: `Select request from ${request.email}` });
    if (await box.isChecked()) await box.uncheck();
    await box.check();
    await expect(region).toBeVisible({ timeout: 1000 });
  }).toPass();
  const item = region.getByRole("listitem").first();
  await expect(item).toContainText(request.appName);
  expect(await readsLeftToRight(item, "for"), `"for" is not drawn backwards`).toBe(true);
});

// The consumer's own request page: "<plan> plan for <app>" under a heading of the request's products.
// A plan's name ending in a right-to-left override reversed " plan for " and the app after it.
test("request page: an override in the plan's name does not reverse \"plan for\" and the app after it", async ({ page }) => {
  const t = tag();
  const { plan, product } = await planOnItsOwnProduct(conn, t, { prefix: "bidi-plan", productName: `Bidi plan ${t}` });
  const email = `bidi-${t}@example.com`;
  const [person] = await conn.db.insert(users).values({ email, name: `Bidi ${t}` }).returning();
  if (!person) throw new Error("seed");
  await addToCart(conn.db, person.id, { productId: product.id, planId: plan.id });
  const request = await submitRequest(conn.db, { userId: person.id, baseUrl: BASE_URL }, { newAppName: `App ${t}`, reason: "Bidi" }, {});
  await signInAs(page, email, `/requests/${request.id}`);
  const line = page.locator("header p", { hasText: `App ${t}` }).first();
  await expect(line).toBeVisible();
  expect(await readsLeftToRight(line, "plan for"), `"plan for" is not drawn backwards`).toBe(true);
  expect(await readsLeftToRight(line, `App ${t}`), "the app's name is not drawn backwards").toBe(true);
});
