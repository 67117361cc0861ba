import { randomBytes } from "node:crypto";
import { type Page, expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { plans, productPlans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { BASE_URL } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

/** A second owner's product on the shared Standard plan, and a request spanning it and Payments API. */
async function mixedRequest(requester?: { id: string; email: string }) {
  const tag = randomBytes(3).toString("hex");
  const [ownerB] = await conn.db.insert(users).values({ email: `ledger-owner-${tag}@example.com`, name: `Lena ${tag}`, role: "owner" }).returning();
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  const [payments] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  if (!ownerB || !standard || !payments) throw new Error("seed");
  const [ledger] = await conn.db
    .insert(products)
    .values({ slug: `ledger-${tag}`, name: `Ledger ${tag} API`, ownerId: ownerB.id, status: "published" })
    .returning();
  if (!ledger) throw new Error("ledger");
  await conn.db.insert(productPlans).values({ productId: ledger.id, planId: standard.id });
  if (!requester) {
    [requester] = await conn.db.insert(users).values({ email: `mixed-${tag}@example.com`, name: `Max ${tag}` }).returning();
    if (!requester) throw new Error("requester");
  }
  for (const productId of [payments.id, ledger.id]) await addToCart(conn.db, requester.id, { productId, planId: standard.id });
  const request = await submitRequest(conn.db, { userId: requester.id, baseUrl: BASE_URL }, { newAppName: `Books ${tag}`, reason: "Reconciliation" }, {});
  return { request, ledger, ownerB, requester };
}

const panelOf = (page: Page) => page.getByRole("region", { name: "Request details" });

test("an owner decides only their part of a mixed request; the queue, the panel and the requester's page say which part waits", async ({
  page,
}) => {
  const { request, ledger, ownerB, requester } = await mixedRequest();
  await signInAs(page, "owner@portico.dev");

  await page.goto(`/admin/requests?status=all&dir=desc&open=${request.id}`);
  const panel = panelOf(page);
  await expect(panel.getByTestId("request-parts")).toContainText("Payments API: waiting for its owner");
  await expect(panel.getByTestId("request-parts")).toContainText(`${ledger.name}: waiting for its owner`);
  await expect(panel.getByTestId("decision-covers")).toContainText(`Your approval covers Payments API. ${ledger.name} is approved by its owner`);
  // Keyboard: the approve button is reached and pressed without a mouse (once the page has hydrated
  // it is enabled: before that a press would do nothing, so it waits disabled).
  await expect(panel.getByRole("button", { name: "Approve" })).toBeEnabled();
  await panel.getByRole("button", { name: "Approve" }).focus();
  await page.keyboard.press("Enter");
  await expect(panel.getByTestId("already-approved")).toContainText(`It still waits for the owner of ${ledger.name}.`);
  await expect(panel.getByTestId("request-parts")).toContainText("Payments API: approved by Omar Owner");
  await expect(panel.getByRole("button", { name: "Approve" })).toHaveCount(0);
  // Still pending (the other owner's part waits), but the button that had the focus is gone: the
  // panel's heading takes it.
  await expect(panel.getByRole("heading", { level: 2 }).first()).toBeFocused();
  const row = page.getByTestId("queue-row").filter({ hasText: ledger.name });
  await expect(row).toContainText(`${ledger.name}: waiting for its owner`);

  // The requester sees the same, on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, requester.email);
  await page.goto(`/requests/${request.id}`);
  const parts = page.getByTestId("request-parts");
  await expect(parts).toContainText("Payments API: approved by Omar Owner");
  await expect(parts).toContainText(`${ledger.name}: waiting for its owner`);
  await expect(parts).toBeInViewport();

  // The other owner completes it.
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, ownerB.email);
  await page.goto(`/admin/requests?status=all&dir=desc&open=${request.id}`);
  await expect(panelOf(page).getByTestId("decision-covers")).toContainText(`Your approval covers ${ledger.name}.`);
  await panelOf(page).getByRole("button", { name: "Approve" }).click();
  await expect(panelOf(page).getByTestId("request-parts")).toContainText(`${ledger.name}: approved by ${ownerB.name}`);
  await expect(panelOf(page)).toContainText("Approved");
});

test("the requester's own request shows no decision buttons, only why", async ({ page }) => {
  const [admin] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  if (!admin) throw new Error("seed");
  const { request, ledger } = await mixedRequest(admin);
  await signInAs(page, admin.email);
  await page.goto(`/admin/requests?status=all&dir=desc&open=${request.id}`);
  const panel = panelOf(page);
  await expect(panel.getByTestId("why-no-decision")).toHaveText("You requested this access: another approver decides.");
  await expect(panel.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(panel.getByRole("button", { name: "Deny" })).toHaveCount(0);
  await expect(page.getByTestId("queue-row").filter({ hasText: ledger.name }).getByRole("checkbox")).toBeDisabled();
});
