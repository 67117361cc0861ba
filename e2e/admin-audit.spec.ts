import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { parse } from "csv-parse/sync";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { e2eDb } from "./db";
import { expectOnOneMiddleLine, signInAs, textLines } from "./helpers";
import { pendingRequest } from "./keys-helpers";
import { userMenu } from "./helpers-admin-users";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

// An admin changes a user's role and disables them, then finds both changes in the audit log:
// by filter, by search, on the user's own timeline, and in the CSV export of that view.
test("admin changes a role and disables a user, then reads and exports it from the audit log", async ({ page, browser }) => {
  const email = `audited-${randomBytes(3).toString("hex")}@example.com`;
  const theirContext = await browser.newContext();
  const them = await theirContext.newPage();
  await signInAs(them, email);
  const [target] = await conn.db.select().from(users).where(eq(users.email, email));
  if (!target) throw new Error("the signed-in user was not created");

  await signInAs(page, "admin@portico.dev", "/admin/users");
  // The users filter's own Search box (the header has a "Search" button too: the site-wide search).
  const filter = page.getByRole("search", { name: "Filter users" });
  await filter.getByLabel("Search").fill(email);
  await filter.getByRole("button", { name: "Apply filters" }).click();
  const row = page.getByTestId("user-row").filter({ hasText: email });
  await expect(row).toHaveCount(1);
  const roleDialog = await userMenu(page, email, "Change role…");
  await roleDialog.getByLabel(`Role of ${email}`).selectOption("owner");
  await roleDialog.getByRole("button", { name: "Save role" }).click();
  await expect(roleDialog).toBeHidden();
  await expect(row).toContainText("Role changed to owner.");
  // The row shows the saved role, and still does after a reload; the dialog opens on it.
  await expect(row.getByTestId("user-role")).toHaveText("Owner");
  await expect(row.getByRole("button", { name: `Actions for ${email}` })).toBeFocused();
  await page.reload();
  await expect(row.getByTestId("user-role")).toHaveText("Owner");
  await expect((await userMenu(page, email, "Change role…")).getByLabel(`Role of ${email}`)).toHaveValue("owner");
  await page.keyboard.press("Escape");

  const confirm = await userMenu(page, email, "Disable…");
  await expect(confirm.getByText("Their pending and approved requests are cancelled")).toBeVisible();
  await expect(confirm.getByText("They have no working keys.")).toBeVisible();
  await confirm.getByRole("button", { name: "Disable now" }).click();
  await expect(confirm).toBeHidden();
  // They had no keys (the dialog said so): the message says nothing of keys.
  await expect(row).toContainText("Disabled; their sessions have ended.");
  await expect(row).not.toContainText("keep working");
  await expect(row).toContainText("Disabled");

  // Their session ended with the disable: the next page load is signed out.
  await them.goto("/apps");
  await expect(them).toHaveURL(/\/signin/);
  await theirContext.close();

  // Filters: subject type, action and a date range (today).
  const today = new Date().toISOString().slice(0, 10);
  await page.goto("/admin/audit");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await page.getByLabel("Subject type").selectOption("user");
  // Actions are chosen by their words; the URL keeps the code.
  // By role: getByLabel of a select in its label reads "Action Any action" (the chosen option is part of the label text).
  await page.getByRole("combobox", { name: "Action", exact: true }).selectOption({ label: "Role changed" });
  await page.getByLabel("From", { exact: true }).fill(today);
  await page.getByLabel("To", { exact: true }).fill(today);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action=user.role_changed/);
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: target.id })).toHaveCount(1);
  await expect(rows.filter({ hasText: target.id })).toContainText("admin@portico.dev");
  // Where it came from sits under who; every column, Comment included, fits the card at 1280 px
  // (with a column of its own for the address, the table scrolled sideways and cut "Comment").
  await expect(rows.filter({ hasText: target.id }).getByTestId("audit-ip")).toHaveText(/^from \S+$/);
  expect(page.viewportSize()?.width).toBe(1280);
  const table = page.getByRole("table", { name: /Audit events/ });
  await expect(table.getByRole("columnheader", { name: "Comment" })).toBeVisible();
  expect(await table.evaluate((t) => (t.parentElement ? t.parentElement.scrollWidth - t.parentElement.clientWidth : -1))).toBe(0);
  for (const action of await rows.getByTestId("audit-action").allTextContents()) expect(action).toBe("user.role_changed");
  // The subject by name, linked to the users page filtered to them.
  const subject = rows.filter({ hasText: target.id }).getByRole("link", { name: email, exact: true });
  await expect(subject).toHaveAttribute("href", `/admin/users?q=${encodeURIComponent(email)}`);
  await expect(rows.filter({ hasText: target.id })).toContainText("Role changed");
  // When, in the portal's format (lib/format.ts formatDateTime), not an ISO stamp or the browser's locale.
  await expect(rows.filter({ hasText: target.id }).getByTestId("audit-when")).toHaveText(/^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2} UTC$/);

  // A date range in the past: the empty state says what to do next.
  await page.getByLabel("To", { exact: true }).fill("2000-01-01");
  await page.getByLabel("From", { exact: true }).fill("2000-01-01");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByText("No events match", { exact: true })).toBeVisible();
  // A range entered the wrong way round says so.
  await page.getByLabel("From", { exact: true }).fill(today);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "is after “To”" })).toContainText("Swap the two dates.");

  // Free-text search over subject ids finds both changes.
  await page.goto("/admin/audit");
  await page.getByLabel("Search").fill(target.id);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(rows).toHaveCount(2);

  // The user's own timeline, opened from the users page.
  await page.goto(`/admin/users?q=${encodeURIComponent(email)}`);
  await page.getByTestId("user-row").filter({ hasText: email }).getByRole("link", { name: "Audit timeline" }).click();
  await expect(page.getByRole("heading", { name: `Audit timeline: user ${target.id}` })).toBeVisible();
  await expect(rows.filter({ hasText: "user.disabled" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "user.role_changed" })).toHaveCount(1);

  // The CSV export of that view, parsed with the library that wrote it.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export this view as CSV" }).click();
  const file = await (await download).path();
  const [header, ...records] = parse(fs.readFileSync(file, "utf8")) as string[][];
  expect(header).toEqual(["id", "when", "who", "action", "subject_type", "subject_id", "comment", "from", "data"]);
  expect(records.map((r) => r[3]).sort()).toEqual(["user.disabled", "user.role_changed"]);
  for (const r of records) {
    expect(r[2]).toBe("admin@portico.dev");
    expect(r[4]).toBe("user");
    expect(r[5]).toBe(target.id);
  }
  const roleChange = records.find((r) => r[3] === "user.role_changed");
  expect(JSON.parse(roleChange?.[8] ?? "{}")).toEqual({ from: "consumer", to: "owner" });
});

test("the last admin cannot be disabled, and the page says why", async ({ page }) => {
  const [me] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  const others = await conn.sql`update users set role = 'owner' where role = 'admin' and id <> ${me?.id ?? ""} returning id`;
  try {
    await signInAs(page, "admin@portico.dev", "/admin/users?q=admin%40portico.dev");
    const confirm = await userMenu(page, "admin@portico.dev", "Disable…");
    await confirm.getByRole("button", { name: "Disable now" }).click();
    await expect(confirm.getByRole("alert")).toContainText("This is the last active admin. Make someone else an admin first.");
  } finally {
    for (const o of others) await conn.sql`update users set role = 'admin' where id = ${o.id as string}`;
  }
  const [still] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
  expect(still?.disabledAt).toBeNull();
});

test("a request's timeline names it and links to its admin page", async ({ page }) => {
  const { requestId, appName } = await pendingRequest(conn, "weather");
  await signInAs(page, "admin@portico.dev", `/admin/audit?subjectType=request&subjectId=${requestId}`);
  const row = page.getByTestId("audit-row").filter({ hasText: "request.submitted" });
  await expect(row).toContainText("Request submitted");
  // Exact: the row's "Timeline" link is labelled "Timeline of Weather API for …" and would match a substring.
  const subject = row.getByRole("link", { name: `Weather API for ${appName}`, exact: true });
  await expect(subject).toHaveAttribute("href", `/admin/requests/${requestId}`);
  await expect(page.getByText(`Everything that happened to Weather API for ${appName}`)).toBeVisible();
});

test("the audit filter's Apply filters and Reset share a middle line", async ({ page }) => {
  await signInAs(page, "admin@portico.dev", "/admin/audit");
  const filters = page.getByRole("search", { name: "Filter the audit log" });
  await expectOnOneMiddleLine(page, filters.getByRole("button", { name: "Apply filters" }), filters.getByRole("link", { name: "Reset" }));
});

// A subject's id (a UUID) under its name wraps after a hyphen, never inside a group: broken anywhere,
// it filled its line and left one character on the next at 1280 px ("…854d8" / "8").
test("at 1280 px a subject's id wraps only after its hyphens", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const { requestId } = await pendingRequest(conn, "weather");
  // The whole log, newest first: its other rows narrow the Subject column until the id wraps (filtered
  // to this request alone, the column held it on one line).
  await signInAs(page, "admin@portico.dev", "/admin/audit");
  const id = page.getByTestId("audit-subject-id").filter({ hasText: requestId }).first();
  await expect(id).toHaveText(requestId);
  const lines = await textLines(id);
  expect(lines.join(""), "the id as written").toBe(requestId);
  for (const line of lines.slice(0, -1)) expect(line, `a line of ${JSON.stringify(lines)} ends at a hyphen`).toMatch(/-$/);
});
