import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { accessRequests, plans, productPlans, products, users } from "../db/schema";
import { issueKey } from "../lib/keys/issue-key";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { userMenu } from "./helpers-admin-users";
import { approvedRequest } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(async () => {
  await conn.sql.end({ timeout: 5 });
});

/** Claims the request's key through the domain code (no browser needed to have a working key). */
async function withWorkingKey(requestId: string) {
  await conn.db.transaction(async (tx) => {
    const [request] = await tx.update(accessRequests).set({ status: "available" }).where(eq(accessRequests.id, requestId)).returning();
    if (!request) throw new Error("no request");
    await issueKey(tx, request, { prefix: "ptk", actorId: request.requesterId, now: new Date() });
  });
}

/** A person with one working key, and the admin's Disable… dialog for them open on the users page. */
async function disableDialogForOneKey(page: Page) {
  const { email, requestId } = await approvedRequest(conn, "weather");
  await withWorkingKey(requestId);
  await signInAs(page, "admin@portico.dev", `/admin/users?q=${encodeURIComponent(email)}`);
  const row = page.getByTestId("user-row").filter({ hasText: email });
  const confirm = await userMenu(page, email, "Disable…");
  return { requestId, row, confirm };
}

test("disabling offers to revoke the person's working keys, says how many, and does", async ({ page }) => {
  const { requestId, row, confirm } = await disableDialogForOneKey(page);
  await expect(confirm.getByText("Their pending and approved requests are cancelled")).toBeVisible();
  const revoke = confirm.getByLabel("Also revoke their working keys (1)");
  await expect(revoke).toBeChecked();
  await confirm.getByRole("button", { name: "Disable now" }).click();
  await expect(row).toContainText("Disabled; their sessions have ended. 1 key revoked. They are emailed a summary.");
  const [request] = await conn.db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
  expect(request?.status).toBe("revoked");
});

test("disabling without revoking says how many working keys are kept", async ({ page }) => {
  const { requestId, row, confirm } = await disableDialogForOneKey(page);
  await confirm.getByLabel("Also revoke their working keys (1)").uncheck();
  await confirm.getByRole("button", { name: "Disable now" }).click();
  await expect(row).toContainText("Disabled; their sessions have ended. 1 working key kept.");
  const [request] = await conn.db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
  expect(request?.status).toBe("available");
});

test("archiving a product says how many working keys it has and can revoke them", async ({ page }) => {
  const tag = randomBytes(3).toString("hex");
  const slug = `archive-me-${tag}`;
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!owner || !standard) throw new Error("seed data missing");
  const [product] = await conn.db
    .insert(products)
    .values({ slug, name: `Archive Me ${tag}`, ownerId: owner.id, status: "published" })
    .returning();
  if (!product) throw new Error("product insert");
  await conn.db.insert(productPlans).values({ productId: product.id, planId: standard.id });
  const { requestId } = await approvedRequest(conn, slug);
  await withWorkingKey(requestId);

  await signInAs(page, "owner@portico.dev", `/admin/products/${product.id}`);
  await page.getByRole("button", { name: "Archive", exact: true }).click();
  const confirm = page.getByRole("group", { name: `Archive ${product.name}` });
  await expect(confirm.getByTestId("archive-access")).toContainText("There is 1 working key for it.");
  await confirm.getByLabel(/Also revoke their access \(1 key\)/).check();
  await confirm.getByRole("button", { name: "Archive now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Access revoked" })).toContainText(
    "Access revoked on 1 request (1 key stopped); each requester is emailed.",
  );
  const [request] = await conn.db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
  expect(request?.status).toBe("revoked");
});
