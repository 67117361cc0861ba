import { expect, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { emailMessages } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";

const conn = e2eDb();
test.afterAll(async () => {
  await conn.sql.end();
});

test("Email delivery says a message past its useful life was not sent and why (no Retry), and when a failing one is tried next", async ({ page }) => {
  const run = crypto.randomUUID().slice(0, 8);
  // rows as deliverEmail leaves them (no job: nothing here is sent while the page is looked at)
  await conn.db.insert(emailMessages).values([
    { to: `late-${run}@example.com`, template: "sign-in", subject: `Sign in ${run}`, status: "expired", attempts: 5, lastError: "provider down" },
    {
      to: `soon-${run}@example.com`,
      template: "new-request",
      subject: `New request ${run}`,
      status: "queued",
      attempts: 2,
      lastError: "Resend did not answer within 10 s.",
      nextAttemptAt: sql`now() + interval '30 seconds'`,
    },
  ]);
  await signInAs(page, "admin@portico.dev", "/admin/emails");

  const late = page.getByRole("row").filter({ hasText: `late-${run}@example.com` });
  await expect(late).toContainText("not sent");
  await expect(late).toContainText("Not sent: its sign-in link had expired. The person can ask for a new one on the sign-in page.");
  await expect(late.getByRole("button", { name: /retry/i })).toHaveCount(0);

  const soon = page.getByRole("row").filter({ hasText: `soon-${run}@example.com` });
  await expect(soon).toContainText("queued");
  await expect(soon).toContainText(/Next attempt \d/);
  await expect(soon).toContainText("Resend did not answer within 10 s.");
  await expect(soon.getByRole("button", { name: /retry/i })).toHaveCount(1);
});
