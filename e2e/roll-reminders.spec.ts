import { addDays } from "date-fns/addDays";
import { expect, test } from "@playwright/test";
import { and, eq, isNull, sql } from "drizzle-orm";
import { accessRequests, apiKeys, emailMessages } from "../db/schema";
import { sendReminderDigests } from "../lib/keys/reminders";
import { e2eDb } from "./db";
import { signInFromHere } from "./helpers";
import { seriousViolations } from "./helpers-products";
import { BASE_URL, approvedRequest, claimFromMailbox, rememberSecret } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

test("the reminder digest links to Roll key: sign in, choose 1 hour (7 days is above the plan's cap), see the new key once; the old key still verifies", async ({ page, context, request }) => {
  // A consumer's claimed key that expires in 7 days, on a request whose plan caps the grace at 24 h.
  const { email, requestId } = await approvedRequest(conn, "payments");
  const { key } = await claimFromMailbox(page, email);
  await conn.db
    .update(accessRequests)
    .set({ plan: sql`${accessRequests.plan} || '{"maxGraceHours": 24}'::jsonb` })
    .where(eq(accessRequests.id, requestId));
  await conn.db
    .update(apiKeys)
    .set({ expiresAt: addDays(new Date(), 7) })
    .where(and(eq(apiKeys.requestId, requestId), isNull(apiKeys.endReason)));

  // The scheduled task (the server's worker may run it first: either way there is one digest).
  await sendReminderDigests(conn.db, BASE_URL);
  await expect
    .poll(async () => (await conn.db.select().from(emailMessages).where(and(eq(emailMessages.to, email), eq(emailMessages.template, "key-reminder-digest")))).length)
    .toBe(1);

  // Read the link from the mailbox, signed out: the roll page asks to sign in, then comes back.
  await context.clearCookies();
  await page.goto("/dev/mailbox");
  const row = page.locator('li[data-template="key-reminder-digest"]').filter({ hasText: email }).first();
  await expect(row.getByText("sent")).toBeVisible({ timeout: 15_000 });
  await row.getByRole("link").click();
  const rollLink = await page.getByTestId("mail-link").filter({ hasText: `/requests/${requestId}/roll` }).first().getAttribute("href");
  expect(rollLink).toBe(`${BASE_URL}/requests/${requestId}/roll`);
  await page.goto(rollLink ?? "");
  await expect(page).toHaveURL(/\/signin/);
  await signInFromHere(page, email);
  await expect(page).toHaveURL(new RegExp(`/requests/${requestId}/roll$`));

  // The current key, then one confirmation with the grace choice.
  await expect(page.getByRole("heading", { name: "Roll key" })).toBeVisible();
  const [current] = await conn.db.select().from(apiKeys).where(and(eq(apiKeys.requestId, requestId), isNull(apiKeys.endReason)));
  if (!current) throw new Error("no current key");
  await expect(page.getByTestId("current-key")).toContainText(`${current.start}…`);
  const choice = page.getByRole("group", { name: "How long should the current key keep working?" });
  await expect(choice.getByLabel("7 days")).toBeDisabled();
  await expect(choice).toContainText("at most 24 hours");
  expect(await seriousViolations(page), "/requests/[id]/roll").toEqual([]);
  await choice.getByLabel("1 hour").check();
  await page.getByRole("button", { name: "Roll the key" }).click();

  // The new key, once.
  const field = page.getByTestId("revealed-key");
  await expect(field).toBeVisible();
  const rolled = await field.inputValue();
  rememberSecret(rolled);
  expect(rolled).not.toBe(key);
  const [old] = await conn.db.select().from(apiKeys).where(eq(apiKeys.id, current.id));
  const graceMs = (old?.endsAt?.getTime() ?? 0) - Date.now();
  expect(graceMs).toBeGreaterThan(50 * 60_000);
  expect(graceMs).toBeLessThanOrEqual(60 * 60_000);
  const verify = (k: string) => request.get("/api/v1/keys/verify?product=payments", { headers: { Authorization: `Bearer ${k}` } });
  expect((await verify(key)).status()).toBe(200);
  expect((await verify(rolled)).status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("revealed-key")).toHaveCount(0);
  expect(await page.content()).not.toContain(rolled);
});
