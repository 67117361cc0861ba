import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { eq, sql } from "drizzle-orm";
import { apiKeys, secondFactors, sessions } from "../db/schema";
import { claimKey } from "../lib/keys/claim-key";
import { seal } from "../lib/mail/sealed";
import { codeAt, newTotpSecret } from "../lib/second-factor/totp";
import { callAction } from "./actions";
import { e2eDb, userIdByEmail } from "./db";
import { signInByLink } from "./helpers";
import { approvedRequest, claimTokenOf, rememberSecret } from "./keys-helpers";

/**
 * Second adversarial review of issue 15: holes found by attacking the merged work, each proven
 * straight against the server action (as a thief with a session cookie, without the phone, would).
 */

const conn = e2eDb();

test.afterAll(async () => {
  await conn.sql.end();
});

const claimToken = (requestId: string) => claimTokenOf(conn, requestId);

async function keyCount(requestId: string) {
  const [row] = await conn.db.select({ n: sql<number>`count(*)::int` }).from(apiKeys).where(eq(apiKeys.requestId, requestId));
  return row?.n ?? 0;
}

test("HOLE: a stolen session cookie of a person with an authenticator cannot roll their key (a new working secret) without a code", async ({ request }) => {
  // The victim has a working key and an authenticator; the thief has their session cookie only.
  const target = await approvedRequest(conn, "payments");
  const victimId = await userIdByEmail(conn.db, target.email);
  const { key } = await claimKey(conn.db, await claimToken(target.requestId), victimId, { prefix: "ptk" });
  await conn.db.insert(secondFactors).values({ userId: victimId, secret: await seal(newTotpSecret()), confirmedAt: new Date() });
  const token = randomBytes(32).toString("hex");
  await conn.db.insert(sessions).values({ sessionToken: token, userId: victimId, expires: new Date(Date.now() + 3600_000) });
  const cookie = `authjs.session-token=${token}`;
  const roll = { page: `/requests/${target.requestId}`, file: "app/(consumer)/requests/actions.ts", name: "rollKeyAction" };
  const fields = { requestId: target.requestId, keyId: key.id, graceHours: "24" };

  const before = await keyCount(target.requestId);
  const refused = await callAction(request, { ...roll, fields, cookie });
  expect(refused.status).toBeLessThan(500);
  expect(refused.text).toContain('"stepUp":true');
  expect(refused.text).not.toContain("ptk_");
  expect(await keyCount(target.requestId)).toBe(before);
  const [old] = await conn.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
  expect(old?.endReason).toBeNull();

  // Once this session has entered a code (within 15 minutes), the same roll goes through.
  await conn.db.update(sessions).set({ steppedUpAt: new Date() }).where(eq(sessions.sessionToken, token));
  const rolled = await callAction(request, { ...roll, fields, cookie });
  expect(rolled.text).toContain("New key created.");
  expect(rolled.text).toContain("ptk_");
  expect(await keyCount(target.requestId)).toBe(before + 1);
});

test("HOLE: the emailed claim link with a session (a mailbox alone) does not mint the key of a person with an authenticator without a code", async ({ request }) => {
  const target = await approvedRequest(conn, "payments");
  const victimId = await userIdByEmail(conn.db, target.email);
  const claim = await claimToken(target.requestId);
  await conn.db.insert(secondFactors).values({ userId: victimId, secret: await seal(newTotpSecret()), confirmedAt: new Date() });
  const token = randomBytes(32).toString("hex");
  await conn.db.insert(sessions).values({ sessionToken: token, userId: victimId, expires: new Date(Date.now() + 3600_000) });
  const cookie = `authjs.session-token=${token}`;
  const action = { page: `/claim/${claim}`, file: "app/claim/[token]/actions.ts", name: "claimKeyAction", fields: { token: claim } };

  const refused = await callAction(request, { ...action, cookie });
  expect(refused.status).toBeLessThan(500);
  expect(refused.text).toContain('"stepUp":true');
  expect(refused.text).not.toContain("ptk_");
  expect(await keyCount(target.requestId)).toBe(0);

  await conn.db.update(sessions).set({ steppedUpAt: new Date() }).where(eq(sessions.sessionToken, token));
  const claimed = await callAction(request, { ...action, cookie });
  expect(claimed.text).toContain("Key created.");
  expect(await keyCount(target.requestId)).toBe(1);
});

test("in the browser, claiming and then rolling a key ask a person with an authenticator for a code once, then show the key", async ({ page }) => {
  const target = await approvedRequest(conn, "payments");
  const personId = await userIdByEmail(conn.db, target.email);
  const secret = newTotpSecret();
  await conn.db.insert(secondFactors).values({ userId: personId, secret: await seal(secret), confirmedAt: new Date() });
  const claim = await claimToken(target.requestId);
  rememberSecret(claim);
  await signInByLink(page, target.email);

  await page.goto(`/claim/${claim}`);
  await page.getByRole("button", { name: "Generate key" }).click();
  const dialog = page.getByTestId("step-up-dialog");
  await expect(dialog).toBeVisible();
  expect(await keyCount(target.requestId)).toBe(0);
  await dialog.getByLabel("Authenticator code").fill(codeAt(secret, new Date()));
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  const key = await page.getByTestId("revealed-key").inputValue();
  rememberSecret(key);
  expect(key).toMatch(/^ptk_/);

  // Within 15 minutes of that code: the roll asks for none.
  await page.goto(`/requests/${target.requestId}`);
  await page.getByRole("button", { name: "Roll key" }).click();
  await page.getByRole("button", { name: "Roll the key" }).click();
  const rolled = await page.getByTestId("revealed-key").inputValue();
  rememberSecret(rolled);
  expect(rolled).toMatch(/^ptk_/);
  expect(rolled).not.toBe(key);
  await expect(dialog).toHaveCount(0);
  expect(await keyCount(target.requestId)).toBe(2);
});
