import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { accessRequests, plans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb } from "./db";
import { readsLeftToRight, signInAs } from "./helpers";
import { BASE_URL } from "./keys-helpers";

// Long values and the links that reset a list, found by an adversarial review (2026-12-07): each of
// these failed on the code it was written against. An address up to the RFC's 64-character local
// part, or a name with a long unbroken token, must not widen a table or a phone's page; an empty
// state's "Reset the filters" must leave the form as a fresh load shows it.
const conn = e2eDb();
test.afterAll(() => conn.sql.end());
const tag = () => randomBytes(4).toString("hex");
// A valid 64-character local part (the RFC's maximum) with no hyphen, so no place to break but the "@".
const longLocal = (t: string) => `${t}.${"mailbox".repeat(8)}.${"x".repeat(64)}`.slice(0, 64);

test("users: the empty state's Reset the filters leaves the Role select at its default", async ({ page }) => {
  const t = tag();
  await signInAs(page, "admin@portico.dev", `/admin/users?q=nomatch-${t}&role=owner`);
  const role = page.getByRole("combobox", { name: "Role", exact: true });
  await expect(role).toHaveValue("owner");
  await page.getByRole("link", { name: "Reset the filters" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByTestId("user-row").first()).toBeVisible();
  // The list is unfiltered: the form must say so.
  await expect(role).toHaveValue("");
});

test("audit log: the empty state's Reset the filters clears Subject type, and Apply filters does not bring it back", async ({ page }) => {
  const t = tag();
  await signInAs(page, "admin@portico.dev", `/admin/audit?q=nomatch-${t}&subjectType=user`);
  const subjectType = page.getByLabel("Subject type");
  await expect(subjectType).toHaveValue("user");
  await page.getByRole("link", { name: "Reset the filters" }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByText("No events match", { exact: true })).toBeHidden();
  const stale = await subjectType.inputValue();
  await page.getByRole("button", { name: /^Apply/ }).click();
  await expect(page).toHaveURL(/\/admin\/audit\?/);
  expect({ stale, url: page.url() }).toEqual({ stale: "", url: expect.not.stringContaining("subjectType=user") });
});

test("users on a phone: a person without a name and a 64-character address stay inside the card", async ({ page }) => {
  const t = tag();
  const email = `${longLocal(t)}@example.com`;
  await conn.db.insert(users).values({ email });
  await signInAs(page, "admin@portico.dev");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/admin/users?q=${t}`);
  const row = page.getByTestId("user-row").first();
  await expect(row).toBeVisible();
  const widths = await row.evaluate((el) => ({ card: el.clientWidth, content: el.scrollWidth, page: document.documentElement.scrollWidth }));
  expect(widths.page, "page width").toBeLessThanOrEqual(390);
  expect(widths.content, "card content width").toBeLessThanOrEqual(widths.card);
});

test("users at 1280: a 64-character address does not make the table scroll sideways", async ({ page }) => {
  const t = tag();
  const email = `${longLocal(t)}@example.com`;
  await conn.db.insert(users).values({ email, name: `Long ${t}` });
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, "admin@portico.dev", `/admin/users?q=${t}`);
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  const frame = page.locator('[data-slot="data-table"] table').locator("xpath=..");
  const over = await frame.evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(over).toBeLessThanOrEqual(0);
});

test("queue at 1280: a requester's 64-character address does not make the table scroll sideways", async ({ page }) => {
  const t = tag();
  const email = `${longLocal(t)}@example.com`;
  const [user] = await conn.db.insert(users).values({ email, name: null }).returning();
  if (!user) throw new Error("user");
  const [p] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  const [plan] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!p || !plan) throw new Error("seed");
  await addToCart(conn.db, user.id, { productId: p.id, planId: plan.id });
  const r = await submitRequest(conn.db, { userId: user.id, baseUrl: BASE_URL }, { newAppName: `App ${t}`, reason: `Reason ${t}` }, {});
  const [request] = await conn.db.select().from(accessRequests).where(eq(accessRequests.id, r.id));
  if (!request) throw new Error("request");
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, "owner@portico.dev", `/admin/requests?requester=${encodeURIComponent(t)}`);
  await expect(page.getByTestId("queue-row")).toHaveCount(1);
  const frame = page.locator('[data-slot="data-table"] table').locator("xpath=..");
  expect(await frame.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  // The address is still whole to read: it breaks, but nothing of it is cut.
  await expect(page.getByTestId("queue-row")).toContainText(email);
});

test("users on a phone: a name with a 68-character unbroken token stays on the screen", async ({ page }) => {
  const t = tag();
  await conn.db.insert(users).values({ email: `poc6-${t}@example.com`, name: `N${t}${"W".repeat(60)}` });
  await signInAs(page, "admin@portico.dev");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/admin/users?q=poc6-${t}`);
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(pageWidth).toBeLessThanOrEqual(390);
});

// A right-to-left override (U+202E) in a name reverses the rest of its paragraph unless the name is
// isolated (<bdi>): "2 of 2 (Mallory ‮1a2b, Omar Owner)" showed Omar's name backwards.
test("an approver's name with a right-to-left override does not reorder the words after it", async ({ page }) => {
  const t = tag();
  const email = `rlo-${t}@example.com`;
  const [mallory] = await conn.db.insert(users).values({ email, name: `Mallory \u202E${t}`, role: "admin" }).returning();
  const [requester] = await conn.db.insert(users).values({ email: `rlo-requester-${t}@example.com`, name: `Rhea ${t}` }).returning();
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  const [p] = await conn.db.select().from(products).where(eq(products.slug, "fx-rates"));
  const [plan] = await conn.db.select().from(plans).where(eq(plans.name, "Enterprise"));
  if (!mallory || !requester || !owner || !p || !plan) throw new Error("seed");
  await addToCart(conn.db, requester.id, { productId: p.id, planId: plan.id });
  const r = await submitRequest(conn.db, { userId: requester.id, baseUrl: BASE_URL }, { newAppName: `App ${t}`, reason: `Reason ${t}` }, { company: "Acme", environment: "Sandbox" });
  // Mallory first, so the owner's name comes after hers on the approvals line.
  for (const actor of [mallory, owner]) {
    await decideRequests(conn.db, { kind: "user", id: actor.id, role: actor.role, disabled: false }, { requestIds: [r.id], decision: "approve", baseUrl: BASE_URL });
  }

  await signInAs(page, "admin@portico.dev", `/admin/requests?status=all&open=${r.id}`);
  const panel = page.getByRole("region", { name: "Request details" });
  const approvals = panel.getByTestId("request-facts").locator("dd").last();
  await expect(approvals).toContainText("2 of 2");
  const isolated = approvals.locator("bdi", { hasText: t });
  await expect(isolated).toHaveCount(1);
  // What follows her name on the line is outside her <bdi>, and reads as written.
  const after = await isolated.evaluate((el) => {
    const range = document.createRange();
    range.setStartAfter(el);
    range.setEndAfter(el.parentNode?.lastChild ?? el);
    return range.toString();
  });
  expect(after).toBe(", Omar Owner)");
  expect(await readsLeftToRight(approvals, "Owner")).toBe(true);
  await expect(panel.getByRole("list", { name: "Timeline" }).locator("bdi", { hasText: t }).first()).toBeAttached();

  // The admin overview names whoever is signed in inside a sentence.
  await signInAs(page, email, "/admin");
  const signedInAs = page.getByRole("main").locator("p", { hasText: "Signed in as" });
  await expect(signedInAs.locator("bdi", { hasText: t })).toHaveCount(1);
  expect(await readsLeftToRight(signedInAs, "every request")).toBe(true);
});
