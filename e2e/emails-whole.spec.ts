import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { claimKey } from "../lib/keys/claim-key";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb } from "./db";
import { expectEmailsWhole, signInAs, textLines } from "./helpers";
import { BASE_URL, claimTokenOf } from "./keys-helpers";

// An address that wraps breaks before its "@" (components/email-text.tsx), on every list that shows
// one: the keys' requester and the products' owner broke anywhere ("k.1a2b3c4d.platfo" / "rmops@…").
// Each side is under EmailText's 24 characters, so the "@" is its only place to break.
const conn = e2eDb();
test.afterAll(() => conn.sql.end());
const tag = () => randomBytes(4).toString("hex");
const address = (t: string) => `k.${t}.platformops@payments.example.com`;

test("keys: the requester's address breaks only before its @, at 1280 px and on a phone", async ({ page }) => {
  const t = tag();
  const email = address(t);
  const [user] = await conn.db.insert(users).values({ email }).returning();
  const [product] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  const [plan] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!user || !product || !plan || !owner) throw new Error("seed data missing");
  await addToCart(conn.db, user.id, { productId: product.id, planId: plan.id });
  const request = await submitRequest(conn.db, { userId: user.id, baseUrl: BASE_URL }, { newAppName: `App ${t}`, reason: "Long address" }, {});
  await decideRequests(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, { requestIds: [request.id], decision: "approve", baseUrl: BASE_URL });
  await claimKey(conn.db, await claimTokenOf(conn, request.id), user.id, { prefix: "ptk" });

  await signInAs(page, "admin@portico.dev", `/admin/keys?q=${t}`);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 844 });
    const shown = page.locator('[data-slot="email-text"]', { hasText: `k.${t}` });
    await expect(shown).toBeVisible();
    await expectEmailsWhole(shown, `the keys' requester at ${width} px`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `page width at ${width} px`).toBeLessThanOrEqual(width);
  }
  // On a phone the card's value column (204 px) is narrower than the address: it wraps, at the "@".
  expect(await textLines(page.locator('[data-slot="email-text"]', { hasText: `k.${t}` })), "the address wraps on a phone").toHaveLength(2);
});

test("products: an owner's address breaks only before its @", async ({ page }) => {
  const t = tag();
  const email = address(t);
  const [owner] = await conn.db.insert(users).values({ email, role: "owner" }).returning();
  if (!owner) throw new Error("no owner");
  // Long names beside it take the room, so the owner's column is as narrow as the table can make it.
  await conn.db.insert(products).values({
    slug: `emails-${t}`,
    name: `Emails ${t} Settlement and Reconciliation Reporting API`,
    summary: "Long values",
    tags: [`emails-${t}`],
    ownerId: owner.id,
  });
  await signInAs(page, "admin@portico.dev", `/admin/products?q=emails-${t}`);
  for (const width of [1280, 1024]) {
    await page.setViewportSize({ width, height: 844 });
    const shown = page.locator('[data-slot="email-text"]', { hasText: `k.${t}` });
    await expect(shown).toBeVisible();
    await expectEmailsWhole(shown, `the product's owner at ${width} px`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `page width at ${width} px`).toBeLessThanOrEqual(width);
  }
});
