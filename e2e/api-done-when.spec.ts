import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { products, users } from "../db/schema";
import { e2eDb } from "./db";
import { changedRows, snapshotAll } from "./db-snapshot";
import { signInAs } from "./helpers";
import { BASE_URL, claimFromMailbox, pendingRequest, rememberSecret } from "./keys-helpers";

const run = promisify(execFile);
const conn = e2eDb();
test.afterAll(() => conn.sql.end());

/** examples/api/approve.ts: a script using the client generated from the OpenAPI document. */
async function approveScript(token: string, requestId: string) {
  const result = await run("npx", ["tsx", "examples/api/approve.ts", requestId], {
    env: { ...process.env, PORTICO_URL: BASE_URL, PORTICO_TOKEN: token },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: result.code, line: JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown> };
}

// The "done when": a key made in the browser drives the API from a generated client.
test("a Product approver key made in the browser approves through the generated client, is refused outside its product, and stops at Remove", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const [payments] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
  if (!payments) throw new Error("demo data missing");
  const adminEmail = `done-when-${randomBytes(4).toString("hex")}@example.com`;
  await conn.db.insert(users).values({ email: adminEmail, name: "Dana Admin", role: "admin" });

  // 1. The admin adds a Product approver key for Payments and copies the token from the dialog.
  await signInAs(page, adminEmail, "/admin/api-keys/new");
  const add = page.getByRole("button", { name: "Add access key" });
  await expect(add).toBeEnabled();
  const name = `Billing system ${randomBytes(3).toString("hex")}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Role 1").selectOption({ label: "Product approver" });
  await page.getByTestId("role-row").first().getByRole("checkbox", { name: "Payments API", exact: true }).check();
  await add.click();
  const dialog = page.getByRole("dialog", { name: "API access key added" });
  const token = await dialog.getByLabel("Token", { exact: true }).inputValue();
  rememberSecret(token);
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.getByRole("button", { name: "I have copied it" }).click();
  await expect(dialog).toBeHidden();

  // 2. A consumer's pending request for Payments is approved by the script; they get the email and claim the key.
  const mine = await pendingRequest(conn, "payments");
  const approved = await approveScript(token, mine.requestId);
  expect(approved).toEqual({ code: 0, line: { requestId: mine.requestId, status: "approved", httpStatus: 200 } });
  const [event] = await conn.sql`select a.action, u.name from audit_events a join users u on u.id = a.actor_id
    where a.subject_id = ${mine.requestId} and a.action = 'request.approved'`;
  expect(event).toEqual({ action: "request.approved", name });
  // the consumer in their own browser (the admin stays signed in on `page`)
  const consumer = await browser.newContext();
  const { key } = await claimFromMailbox(await consumer.newPage(), mine.email);
  await consumer.close();
  expect(key).toMatch(/^ptk_/);
  const verify = await page.request.get("/api/v1/keys/verify?product=payments", { headers: { Authorization: `Bearer ${key}` } });
  expect(verify.status()).toBe(200);

  // 3. The same token on a request for another product: 403 naming the role, nothing written.
  const other = await pendingRequest(conn, "invoices");
  const before = await snapshotAll(conn);
  const outside = await approveScript(token, other.requestId);
  expect(outside.code).toBe(1);
  expect(outside.line).toMatchObject({ requestId: other.requestId, httpStatus: 403 });
  expect(JSON.stringify(outside.line.problem)).toContain("Product approver for Invoices API");
  expect(await changedRows(conn, before, await snapshotAll(conn))).toEqual({});

  // 4. Remove in the browser: the next call is refused.
  await page.goto("/admin/api-keys");
  await page.getByRole("button", { name: `Remove ${name}` }).click();
  await page.getByRole("button", { name: "Remove now" }).click();
  // the list drops the removed key
  await expect(page.getByTestId("api-key-row").filter({ hasText: name })).toHaveCount(0);
  const third = await pendingRequest(conn, "payments");
  const afterRemove = await approveScript(token, third.requestId);
  expect(afterRemove).toMatchObject({ code: 1, line: { httpStatus: 401 } });
  const [still] = await conn.sql`select status from access_requests where id = ${third.requestId}`;
  expect(still?.status).toBe("pending");
});
