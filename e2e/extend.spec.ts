import { expect, test } from "@playwright/test";
import { and, eq, isNull } from "drizzle-orm";
import { accessRequests, apiKeys } from "../db/schema";
import { formatDateTime } from "../lib/format";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { approvedRequest, claimFromMailbox } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

const currentKey = async (requestId: string) => {
  const [k] = await conn.db.select().from(apiKeys).where(and(eq(apiKeys.requestId, requestId), isNull(apiKeys.endReason)));
  if (!k?.expiresAt) throw new Error("no current key");
  return { ...k, expiresAt: k.expiresAt };
};

test("Extend: the consumer asks for more time, the owner approves it in the queue, the same key expires later", async ({ page, context, request }) => {
  const { email, requestId, appName } = await approvedRequest(conn, "payments");
  const { key } = await claimFromMailbox(page, email);
  const before = await currentKey(requestId);

  // My requests shows the expiry and the way to extend it.
  await page.goto("/requests");
  const row = page.getByTestId("request-row").filter({ hasText: appName });
  await expect(row.getByTestId("request-expiry")).toContainText("Expires");
  await row.getByRole("link", { name: "Extend access to Payments API" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${requestId}#extend$`));
  const card = page.getByTestId("extend");
  await expect(card.getByTestId("key-expiry")).toHaveText(`Your key expires on ${formatDateTime(before.expiresAt)}.`);
  await card.getByLabel("Why do you need more time? (optional)").fill("The pilot runs until next summer.");
  await card.getByRole("button", { name: "Ask for 180 more days" }).click();
  await expect(card.getByText("It waits for approval")).toBeVisible();
  const [extension] = await conn.db.select().from(accessRequests).where(eq(accessRequests.extendsRequestId, requestId));
  expect(extension?.status).toBe("pending");
  if (!extension) throw new Error("no extension");

  // The owner sees it in the queue as an extension, with both expiries, and approves it.
  await context.clearCookies();
  await signInAs(page, "owner@portico.dev", `/admin/requests?status=pending&q=${encodeURIComponent(appName)}`);
  const queueRow = page.getByRole("row").filter({ hasText: appName });
  await expect(queueRow).toHaveCount(1);
  await expect(queueRow.getByTestId("extension-badge")).toHaveText("Extension");
  await expect(queueRow.getByTestId("extension-note")).toContainText(`Expires ${formatDateTime(before.expiresAt)}`);
  await expect(queueRow.getByTestId("extension-note")).toContainText("if approved now");
  await page.goto(`/admin/requests?status=all&open=${extension.id}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel.getByTestId("extension-badge")).toBeVisible();
  await expect(panel).toContainText("The pilot runs until next summer.");
  await panel.getByRole("button", { name: "Approve" }).click();
  await expect.poll(async () => (await conn.db.select().from(accessRequests).where(eq(accessRequests.id, extension.id)))[0]?.status, { timeout: 10_000 }).toBe("completed");

  // The same key, a later expiry: verify says so, and so does the consumer's request page.
  const after = await currentKey(requestId);
  expect(after.id).toBe(before.id);
  expect(after.keyHash).toBe(before.keyHash);
  expect(after.expiresAt.getTime() - before.expiresAt.getTime()).toBe(180 * 86_400_000);
  const verified = await request.get("/api/v1/keys/verify?product=payments", { headers: { Authorization: `Bearer ${key}` } });
  expect(verified.status()).toBe(200);
  expect((await verified.json()).expiresAt).toBe(after.expiresAt.toISOString());

  await context.clearCookies();
  await signInAs(page, email, `/requests/${requestId}`);
  await expect(page.getByTestId("extend").getByTestId("key-expiry")).toHaveText(`Your key expires on ${formatDateTime(after.expiresAt)}.`);
  await expect(page.getByTestId("extend")).toContainText("Extended on");
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText("Extended: the same key expires later");
  // The email says the new expiry.
  await page.goto("/dev/mailbox");
  await expect(page.locator('li[data-template="extension-approved"]').filter({ hasText: email })).toHaveCount(1, { timeout: 15_000 });
});
