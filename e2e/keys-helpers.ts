import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { and, desc, eq, like, sql } from "drizzle-orm";
import { emailMessages, plans, productPlans, products, users } from "../db/schema";
import { unseal } from "../lib/mail/sealed";
import { addToCart } from "../lib/cart/cart-store";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";
import type { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { mailLinks } from "./mailbox";

/** Every key and claim token a test saw; e2e/secrets.spec.ts checks none reached the database or the log. */
export const SECRETS_FILE = ".data/e2e-secrets.txt";
export function rememberSecret(secret: string) {
  fs.appendFileSync(SECRETS_FILE, `${secret}\n`);
}

export const BASE_URL = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

/**
 * A new plan named with a right-to-left override ("Gold <U+202E><t>", or `planName`) on a product of
 * its own (`productName`, slug `<prefix>-<t>`), published by a new owner: a plan added to a seeded
 * product showed on its catalogue page, where e2e/catalogue-showcase.spec.ts counts the seeded three.
 * The product carries its `planId`, as a cart item takes it.
 */
export async function planOnItsOwnProduct(
  conn: ReturnType<typeof e2eDb>,
  t: string,
  { prefix, productName, planName = `Gold \u202E${t}` }: { prefix: string; productName: string; planName?: string },
) {
  const [plan] = await conn.db.insert(plans).values({ name: planName }).returning();
  const [owner] = await conn.db.insert(users).values({ email: `${prefix}-owner-${t}@example.com`, name: `Owner ${t}`, role: "owner" }).returning();
  if (!plan || !owner) throw new Error("seed");
  const [product] = await conn.db.insert(products).values({ slug: `${prefix}-${t}`, name: productName, ownerId: owner.id, status: "published" }).returning();
  if (!product) throw new Error("product");
  await conn.db.insert(productPlans).values({ productId: product.id, planId: plan.id });
  return { plan, owner, product: { ...product, planId: plan.id } };
}

/** A new consumer with a pending request for one product (submitted through the domain code). */
export async function pendingRequest(conn: ReturnType<typeof e2eDb>, slug: string, plan = "Standard") {
  const tag = randomBytes(4).toString("hex");
  const email = `keys-${tag}@example.com`;
  const [user] = await conn.db.insert(users).values({ email, name: `Kai ${tag}` }).returning();
  const [p] = await conn.db.select().from(products).where(eq(products.slug, slug));
  const [pl] = await conn.db.select().from(plans).where(eq(plans.name, plan));
  if (!user || !p || !pl) throw new Error("seed data missing");
  await addToCart(conn.db, user.id, { productId: p.id, planId: pl.id });
  const request = await submitRequest(conn.db, { userId: user.id, baseUrl: BASE_URL }, { newAppName: `App ${tag}`, reason: "Gateway test" }, {});
  return { email, requestId: request.id, appName: `App ${tag}` };
}

/** A new consumer with an approved request (approved by the demo owner through the domain code). */
export async function approvedRequest(conn: ReturnType<typeof e2eDb>, slug: string, plan = "Standard") {
  const pending = await pendingRequest(conn, slug, plan);
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("seed data missing");
  await decideRequests(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, { requestIds: [pending.requestId], decision: "approve", baseUrl: BASE_URL });
  return { ...pending, ownerId: owner.id };
}

/** Signs in as the requester, opens the claim link from the dev mailbox, confirms, and returns the key. */
export async function claimFromMailbox(page: Page, email: string) {
  await signInAs(page, email);
  const claimLink = await claimLinkFor(page, email);
  expect(claimLink).toMatch(/\/claim\/[A-Za-z0-9_-]{43}$/);
  rememberSecret(claimLink.slice(claimLink.lastIndexOf("/") + 1));
  await page.goto(claimLink);
  await page.getByRole("button", { name: "Generate key" }).click();
  const field = page.getByTestId("revealed-key");
  await expect(field).toBeVisible();
  const key = await field.inputValue();
  rememberSecret(key);
  return { key, claimLink };
}

/**
 * Presses Create OAuth client (on the claim page or the request page) and reads the new client off
 * the one screen that shows its secret: focus on the client id, ready to copy; the secret remembered
 * (the suite checks no log holds it).
 */
export async function createOAuthClient(page: Page) {
  await page.getByRole("button", { name: "Create OAuth client" }).click();
  await expect(page.getByRole("heading", { name: "Your new OAuth 2.0 client" })).toBeVisible();
  const clientId = await page.getByTestId("new-client-id").inputValue();
  const secret = await page.getByTestId("new-client-secret").inputValue();
  rememberSecret(secret);
  await expect(page.getByTestId("new-client-id")).toBeFocused();
  expect(clientId).toMatch(/^pcl_/);
  expect(secret).toMatch(/^pcs_/);
  return { clientId, secret };
}

/** The claim link in the newest "Approved" email to this address, read from the dev mailbox. */
export async function claimLinkFor(page: Page, email: string) {
  // The subject may be overridden by an admin; the template is not.
  const link = (await mailLinks(page, email, "approved")).find((href) => href.includes("/claim/"));
  if (!link) throw new Error("no claim link in the message");
  return link;
}

/** The claim token of a request's newest approval email (opened as delivery would), remembered as a secret. */
export async function claimTokenOf(conn: ReturnType<typeof e2eDb>, requestId: string) {
  const [m] = await conn.db
    .select()
    .from(emailMessages)
    .where(and(eq(emailMessages.template, "approved"), like(sql`${emailMessages.props}::text`, `%${requestId}%`)))
    .orderBy(desc(emailMessages.createdAt))
    .limit(1);
  const url = String(await unseal(m?.props.claimUrl));
  const token = url.slice(url.lastIndexOf("/") + 1);
  rememberSecret(token);
  return token;
}
