import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { eq, inArray } from "drizzle-orm";
import { accessRequests, auditEvents, plans, products, users } from "../db/schema";
import { addToCart } from "../lib/cart/cart-store";
import { decideRequests } from "../lib/requests/decide-requests";
import { formatDateTime } from "../lib/format";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb } from "./db";
import { expectEmailsWhole, expectOnOneMiddleLine, signInAs, textLines, toast } from "./helpers";
import { seriousViolations } from "./helpers-products";
import { inBothThemes } from "./helpers-theme";
import { BASE_URL } from "./keys-helpers";

const conn = e2eDb();
test.afterAll(() => conn.sql.end());

async function consumerWithRequests(specs: { slug: string; plan: string; answers?: Record<string, string> }[]) {
  const tag = randomBytes(4).toString("hex");
  const email = `queue-${tag}@example.com`;
  const [user] = await conn.db.insert(users).values({ email, name: `Quinn ${tag}` }).returning();
  if (!user) throw new Error("user");
  const ids: string[] = [];
  for (const [i, s] of specs.entries()) {
    const [p] = await conn.db.select().from(products).where(eq(products.slug, s.slug));
    const [plan] = await conn.db.select().from(plans).where(eq(plans.name, s.plan));
    if (!p || !plan) throw new Error("seed");
    await addToCart(conn.db, user.id, { productId: p.id, planId: plan.id });
    const r = await submitRequest(conn.db, { userId: user.id, baseUrl: BASE_URL }, { newAppName: `App ${i}`, reason: `Reason ${i} ${tag}` }, s.answers ?? {});
    ids.push(r.id);
  }
  return { email, ids, tag };
}

async function signOutAll(page: Page) {
  await page.context().clearCookies();
}

test("an owner filters the queue, keeps a column choice, bulk-approves 3 and denies 1; the consumer sees it all", async ({ page }) => {
  const { email, tag } = await consumerWithRequests([
    { slug: "payments", plan: "Standard" },
    { slug: "invoices", plan: "Standard" },
    { slug: "geocoding", plan: "Standard" },
    { slug: "weather", plan: "Standard" },
  ]);

  // An admin sets the decision subjects.
  await signInAs(page, "admin@portico.dev", "/admin/settings/emails");
  await page.getByLabel("Request approved subject").fill(`Good news ${tag}: {products}`);
  await page.locator("form").filter({ has: page.getByLabel("Request approved subject") }).getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Subject saved.").first()).toBeVisible();
  await page.getByLabel("Request denied subject").fill(`Sorry ${tag}: {products}`);
  await page.locator("form").filter({ has: page.getByLabel("Request denied subject") }).getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("preview-subject-reject")).toHaveText(`Sorry ${tag}: Payments API`, { timeout: 10_000 });
  await signOutAll(page);

  await signInAs(page, "owner@portico.dev", "/admin/requests");
  await page.getByRole("textbox", { name: "Requester" }).fill(email);
  await page.getByRole("combobox", { name: "Plan" }).selectOption({ label: "Standard" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/requester=queue-/);
  const rows = page.getByTestId("queue-row");
  await expect(rows).toHaveCount(4);

  // Hide the Reason column; the choice survives a reload; then show it again.
  const reasonHeader = page.getByRole("columnheader", { name: "Reason" });
  await expect(reasonHeader).toBeVisible();
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "Reason" }).uncheck();
  await expect(reasonHeader).toHaveCount(0);
  await page.waitForTimeout(500);
  await page.reload();
  await expect(page.getByTestId("queue-row")).toHaveCount(4);
  await expect(page.getByRole("columnheader", { name: "Reason" })).toHaveCount(0);
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "Reason" }).check();
  await expect(page.getByRole("columnheader", { name: "Reason" })).toBeVisible();
  // Every column but one may go; the last one stays (a table of bare checkboxes says nothing).
  const chooser = page.getByRole("group", { name: "Visible columns" });
  const others = ["Requester", "Status", "App", "Products", "Plan", "Requested for", "Reason"];
  for (const name of others) await chooser.getByRole("checkbox", { name }).uncheck();
  await expect(chooser.getByRole("checkbox", { name: "Requested at" })).toBeDisabled();
  await expect(page.getByRole("columnheader", { name: "Requested at" })).toBeVisible();
  for (const name of others) await chooser.getByRole("checkbox", { name }).check();
  await expect(page.getByRole("columnheader", { name: "Reason" })).toBeVisible();

  // Detail panel.
  await rows.first().getByRole("link").first().click();
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel).toBeVisible();
  // Focus moves to the panel's heading, so a keyboard user goes on from there.
  await expect(panel.getByRole("heading", { level: 2 })).toBeFocused();
  await expect(panel).toContainText(`Reason 0 ${tag}`);
  await expect(panel).toContainText("Timeline");
  // Events read as words, as the requester sees them, not as internal codes.
  await expect(panel.getByRole("listitem").filter({ hasText: "Submitted ·" })).toHaveCount(1);

  // Bulk: approve three, deny one with a comment.
  for (const i of [0, 1, 2]) await rows.nth(i).getByRole("checkbox").check();
  const bulk = page.getByRole("region", { name: "Bulk decision" });
  await expect(bulk).toContainText("3 selected");
  // Progress while they run (the action's answer held back a moment here, so it can be seen), then
  // what happened, named, with focus on it.
  const holdBack = /\/admin\/requests/;
  await page.route(holdBack, async (route) => {
    if (route.request().method() === "POST") await new Promise((done) => setTimeout(done, 1500));
    await route.continue();
  });
  await bulk.getByRole("button", { name: "Approve 3" }).click();
  await expect(page.getByRole("progressbar", { name: "Deciding 3 requests" })).toBeVisible();
  const result = page.getByTestId("bulk-result");
  await expect(result).toHaveText(/^Approved 3: .+ for App 0; .+ for App 1; .+ for App 2\.$/);
  // Only once the held answer has come (unrouting while it waits would leave its continue nowhere).
  await page.unroute(holdBack);
  await expect(result).toBeFocused();

  await page.goto(`/admin/requests?requester=${encodeURIComponent(email)}`);
  await expect(page.getByTestId("queue-row")).toHaveCount(1);
  await page.getByTestId("queue-row").first().getByRole("checkbox").check();
  // Denying needs a reason for the requester: without one, nothing is decided and the field says so.
  await page.getByRole("region", { name: "Bulk decision" }).getByRole("button", { name: "Deny" }).click();
  await expect(page.getByRole("region", { name: "Bulk decision" }).getByText("Say why you deny: the requester is emailed this comment.")).toBeVisible();
  await expect(page.getByTestId("queue-row").first()).toContainText("Pending");
  await expect(page.getByRole("region", { name: "Bulk decision" }).getByLabel(/Comment/)).toBeFocused();
  await page.getByRole("region", { name: "Bulk decision" }).getByLabel(/Comment/).fill("Tell us your expected volume.");
  await page.getByRole("region", { name: "Bulk decision" }).getByRole("button", { name: "Deny" }).click();
  await page.getByRole("group", { name: "Deny 1 request?" }).getByRole("button", { name: "Deny now" }).click();
  await expect(page.getByTestId("bulk-result")).toHaveText(/^Denied 1: .+ for App 3\.$/);

  // The consumer sees the decisions and the comment.
  await signOutAll(page);
  await signInAs(page, email, "/requests");
  await expect(page.getByTestId("request-row").filter({ hasText: "Approved" })).toHaveCount(3);
  const denied = page.getByTestId("request-row").filter({ hasText: "Denied" });
  await expect(denied).toHaveCount(1);
  await denied.getByRole("link").click();
  await expect(page.getByText("“Tell us your expected volume.”")).toBeVisible();

  // The dev mailbox holds the approve and reject emails with the configured subjects.
  await page.goto("/dev/mailbox");
  const mine = page.getByRole("listitem").filter({ hasText: email });
  await expect(mine.filter({ hasText: `Good news ${tag}:` })).toHaveCount(3);
  await expect(mine.filter({ hasText: `Sorry ${tag}:` })).toHaveCount(1);
});

test("a bulk denial asks first: Escape (the request panel stays open) and Cancel leave every request pending, an emptied comment steps back, confirming denies them all", async ({ page }) => {
  const { ids, tag } = await consumerWithRequests([
    { slug: "payments", plan: "Standard" },
    { slug: "invoices", plan: "Standard" },
    { slug: "weather", plan: "Standard" },
  ]);
  const statuses = async () =>
    (await conn.db.select({ status: accessRequests.status }).from(accessRequests).where(inArray(accessRequests.id, ids))).map((r) => r.status);
  const events = async () => (await conn.db.select({ id: auditEvents.id }).from(auditEvents).where(inArray(auditEvents.subjectId, ids))).length;
  const eventsBefore = await events();

  // With a request open beside the table: the step's Escape must not close the panel too.
  await signInAs(page, "owner@portico.dev", `/admin/requests?requester=${encodeURIComponent(tag)}&open=${ids[0]}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel).toBeVisible();
  const rows = page.getByTestId("queue-row");
  await expect(rows).toHaveCount(3);
  for (const i of [0, 1, 2]) await rows.nth(i).getByRole("checkbox").check();
  const bulk = page.getByRole("region", { name: "Bulk decision" });
  await bulk.getByLabel(/Comment/).fill("Not this quarter.");
  const deny = bulk.getByRole("button", { name: "Deny 3" });
  const confirm = bulk.getByRole("group", { name: "Deny 3 requests?" });

  // The click only asks; the safe choice has the focus, and Escape steps back to Deny.
  await deny.click();
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await expect(bulk.getByRole("button", { name: "Approve 3" })).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(confirm).toHaveCount(0);
  await expect(deny).toBeFocused();
  await expect(panel).toBeVisible();
  expect(new URL(page.url()).searchParams.get("open")).toBe(ids[0]);

  // Cancel does the same, and the comment is still there.
  await deny.click();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(deny).toBeFocused();
  await expect(bulk.getByLabel(/Comment/)).toHaveValue("Not this quarter.");
  await expect(rows.filter({ hasText: "Pending" })).toHaveCount(3);
  expect(await statuses()).toEqual(["pending", "pending", "pending"]);
  expect(await events()).toBe(eventsBefore);

  // The comment emptied while the step asks: the server refuses, the step (which promised to email
  // the comment) steps back, and the focus is in the comment box beside the refusal.
  await deny.click();
  await bulk.getByLabel(/Comment/).fill("");
  await confirm.getByRole("button", { name: "Deny 3 now" }).click();
  await expect(bulk.getByText("Say why you deny")).toBeVisible();
  await expect(confirm).toHaveCount(0);
  await expect(bulk.getByLabel(/Comment/)).toBeFocused();
  expect(await statuses()).toEqual(["pending", "pending", "pending"]);

  // Confirming denies all three.
  await bulk.getByLabel(/Comment/).fill("Not this quarter.");
  await deny.click();
  await confirm.getByRole("button", { name: "Deny 3 now" }).click();
  await expect(page.getByTestId("bulk-result")).toHaveText(/^Denied 3: /);
  expect(await statuses()).toEqual(["denied", "denied", "denied"]);
});

test("a bulk approval where one request was decided meanwhile names what was approved and lists the one left alone", async ({ page }) => {
  const { ids, tag } = await consumerWithRequests([
    { slug: "payments", plan: "Standard" },
    { slug: "weather", plan: "Standard" },
  ]);
  await signInAs(page, "owner@portico.dev", `/admin/requests?requester=${encodeURIComponent(tag)}`);
  const rows = page.getByTestId("queue-row");
  await expect(rows).toHaveCount(2);
  for (const i of [0, 1]) await rows.nth(i).getByRole("checkbox").check();
  // Someone else denies App 1's request while this owner still has it selected.
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("seed data missing");
  const other = ids[1] ?? "";
  await decideRequests(conn.db, { kind: "user", id: owner.id, role: "owner", disabled: false }, { requestIds: [other], decision: "deny", comment: "Decided elsewhere.", baseUrl: BASE_URL });
  await page.getByRole("region", { name: "Bulk decision" }).getByRole("button", { name: "Approve 2" }).click();
  const result = page.getByTestId("bulk-result");
  await expect(result.getByRole("listitem")).toHaveText([/^Approved 1: .+ for App 0\.$/, /^.+ for App 1 was already decided: not changed\.$/]);
  await expect(result).toBeFocused();
  await expect(toast(page, "1 not changed: see the list.")).toBeVisible();
});

test("a two-approver plan needs two different approvers", async ({ page }) => {
  const { ids } = await consumerWithRequests([{ slug: "fx-rates", plan: "Enterprise", answers: { company: "Acme", environment: "Production" } }]);
  const id = ids[0];
  await signInAs(page, "owner@portico.dev", `/admin/requests?status=all&open=${id}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await panel.getByRole("button", { name: "Approve" }).click();
  await expect(panel.getByTestId("already-approved")).toBeVisible();
  await expect(panel).toContainText("Pending 1 of 2 approvals");

  await signOutAll(page);
  await signInAs(page, "admin@portico.dev", `/admin/requests?status=all&open=${id}`);
  const adminPanel = page.getByRole("region", { name: "Request details" });
  await adminPanel.getByRole("button", { name: "Approve" }).click();
  await expect(adminPanel).toContainText("Approved", { timeout: 10_000 });
});

test("consumers cannot reach the queue or its actions", async ({ page }) => {
  await signInAs(page, `nosy-${randomBytes(3).toString("hex")}@example.com`);
  expect((await page.goto("/admin/requests"))?.status()).toBe(403);
  expect((await page.goto("/admin/settings/emails"))?.status()).toBe(403);
  expect((await page.goto("/admin/emails"))?.status()).toBe(403);
});

test("queue filters keep the sort, paging stops at the ends, and a reversed date range says so", async ({ page }) => {
  await signInAs(page, "owner@portico.dev", "/admin/requests?status=all&sort=requester&dir=desc");
  const filters = page.getByRole("form", { name: "Filter requests" });
  await filters.getByLabel("Search").fill("no request has this reason");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/sort=requester/);
  await expect(page).toHaveURL(/dir=desc/);
  // One page only: no Previous or Next at all, neither a link past the end nor a greyed button.
  await expect(page.getByRole("navigation", { name: "Pages" })).toBeVisible();
  for (const name of ["Previous", "Next"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
  }
  await expect(page.getByTestId("short-search-note")).toHaveCount(0);
  await page.goto("/admin/requests?status=all&from=2030-01-01&to=2020-01-01");
  await expect(page.getByRole("alert").filter({ hasText: "Swap the two dates" })).toBeVisible();
  // A text of one or two letters is not looked for in the reasons, and the page says so.
  await page.goto("/admin/requests?status=all&q=zq");
  await expect(page.getByTestId("short-search-note")).toHaveText(/“zq” was looked for in requesters, apps and products\. Reasons are searched when the text has three letters or\s+digits in a row\./);
});

const KEY_COLUMNS = ["Requester", "Products", "Plan", "App", "Status", "Requested at"];

/** The header is inside the viewport and what is drawn at its centre is the header itself. */
async function expectInView(page: Page, name: string) {
  const header = page.getByRole("columnheader", { name, exact: true });
  await expect(header, name).toBeVisible();
  const box = await header.boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) throw new Error(`no box for ${name}`);
  expect(box.x, name).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, name).toBeLessThanOrEqual(viewport.width);
  const onTop = await header.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return hit !== null && el.contains(hit);
  });
  expect(onTop, `${name} is not covered`).toBe(true);
}

test("at 1280 px with a request open, the key columns and the sort column stay in view and long values wrap in the panel", async ({ page }) => {
  const { ids, tag } = await consumerWithRequests([{ slug: "payments", plan: "Standard" }]);
  // A long address without a break: it must wrap inside the panel, not run past its edge.
  const long = `queue-${tag}-someone-with-a-remarkably-long-mailbox-name@an-unusually-long-subdomain.example.com`;
  const [user] = await conn.db.select().from(users).where(eq(users.name, `Quinn ${tag}`));
  if (!user) throw new Error("user");
  await conn.db.update(users).set({ email: long }).where(eq(users.id, user.id));
  // And a reason with no break in 160 characters (a pasted token, a URL): it wraps too.
  await conn.db.update(accessRequests).set({ reason: `reason-${"x".repeat(160)}-${tag}` }).where(eq(accessRequests.id, ids[0] ?? ""));
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, "owner@portico.dev", `/admin/requests?requester=${encodeURIComponent(tag)}&open=${ids[0]}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel).toBeVisible();
  for (const name of KEY_COLUMNS) await expectInView(page, name);
  expect(await panel.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  await expect(panel).toContainText(long);
  await expect(panel).toContainText(`reason-${"x".repeat(160)}-${tag}`);
  // Sorted by a lesser column, that column stays too.
  await page.goto(`/admin/requests?requester=${encodeURIComponent(tag)}&sort=requestedFor&open=${ids[0]}`);
  await expect(page.getByRole("region", { name: "Request details" })).toBeVisible();
  for (const name of [...KEY_COLUMNS, "Requested for"]) await expectInView(page, name);
});

test("at 1280 px the panel puts each fact's label above its value, an email breaks only before its @, and Requested for reads in words", async ({ page }) => {
  const { ids, tag } = await consumerWithRequests([{ slug: "payments", plan: "Standard" }]);
  // An address with no break of its own but at the "@" (dots between letters or digits are none),
  // longer than a line of the panel or of the requester column beside it.
  const email = `panel.${tag}.requester.mailbox@example.com`;
  const [user] = await conn.db.update(users).set({ email }).where(eq(users.name, `Quinn ${tag}`)).returning();
  const [request] = await conn.db.select().from(accessRequests).where(eq(accessRequests.id, ids[0] ?? ""));
  if (!user || !request) throw new Error("seed");
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, "owner@portico.dev", `/admin/requests?requester=${encodeURIComponent(tag)}&open=${request.id}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel).toBeVisible();

  await inBothThemes(page, async (theme) => {
    // In the panel (18rem) each label sits above its value, not in a column beside it.
    const facts = panel.getByTestId("request-facts");
    const terms = facts.locator("dt");
    expect(await terms.count()).toBeGreaterThanOrEqual(5);
    for (const term of await terms.all()) {
      const label = await term.boundingBox();
      const value = await term.locator("xpath=following-sibling::dd[1]").boundingBox();
      if (!label || !value) throw new Error("a fact is not shown");
      expect(label.y + label.height, `${await term.textContent()} above its value (${theme})`).toBeLessThanOrEqual(value.y + 0.5);
    }
    // "Quinn …" / "panel.….mailbox" / "@example.com": the address wraps at its "@" only.
    const requester = facts.locator('dt:text-is("Requester") + dd');
    await expect(requester).toContainText(email);
    await expectEmailsWhole(requester, `the panel's requester (${theme})`);
    expect(await textLines(requester), "the address wraps in the panel, at its @").toContainEqual("@example.com");
    // The same address in the queue's row beside the panel.
    const inRow = page.getByTestId("queue-row").first().getByText(email, { exact: true });
    await expectEmailsWhole(inRow, `the queue row's requester (${theme})`);
    expect(await seriousViolations(page), `the panel at 1280 px (${theme})`).toEqual([]);
  });

  // Without the panel the row says when the access starts and for how long, as the request's page
  // does (Starts, Duration), in a column no wider than its date.
  await page.goto(`/admin/requests?requester=${encodeURIComponent(tag)}`);
  const when = formatDateTime(request.startsAt);
  const cell = page.getByTestId("queue-row").first().locator("td").filter({ hasText: /^From / });
  const days = request.durationDays;
  await expect(cell).toHaveText(`From ${when} ${days === null ? "with no expiry" : `for ${days} ${days === 1 ? "day" : "days"}`}`);
  const header = await page.getByRole("columnheader", { name: "Requested for" }).boundingBox();
  expect(header?.width ?? 999, "the Requested for column's width").toBeLessThanOrEqual(180);

  // The requester's own page is wide: there each label stays beside its value.
  await page.context().clearCookies();
  await signInAs(page, email, `/requests/${request.id}`);
  const reason = page.getByTestId("request-facts").locator('dt:text-is("Reason")');
  const [label, value] = [await reason.boundingBox(), await reason.locator("xpath=following-sibling::dd[1]").boundingBox()];
  if (!label || !value) throw new Error("the reason is not shown");
  expect(Math.abs(label.y - value.y), "the reason's label beside its value").toBeLessThanOrEqual(2);
  expect(label.x + label.width).toBeLessThanOrEqual(value.x);
});

test("at 1280 px the admin pages run wider: the queue's table fits without scrolling sideways, and the header, page and footer stay in line", async ({ page }) => {
  const { email } = await consumerWithRequests([{ slug: "payments", plan: "Standard" }]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, "owner@portico.dev", `/admin/requests?requester=${encodeURIComponent(email)}`);
  await expect(page.getByTestId("queue-row")).toHaveCount(1);
  // At 72rem the column beside the sidebar was 862 px and the table (995 px) scrolled inside its frame.
  const frame = page.locator('[data-slot="data-table"] table').locator("xpath=..");
  expect(await frame.evaluate((el) => el.scrollWidth - el.clientWidth), "the table's frame scrolls sideways").toBeLessThanOrEqual(0);
  for (const name of [...KEY_COLUMNS, "Requested for", "Reason"]) await expectInView(page, name);
  // The header's row, the page and the footer's row share their left edge (all read --page-max).
  const lefts = await page.evaluate(() =>
    ["body > header > div", "main#main", "body > footer > div"].map((s) => {
      const el = document.querySelector(s);
      if (!el) return null;
      return Math.round(el.getBoundingClientRect().left + parseFloat(getComputedStyle(el).paddingLeft));
    }),
  );
  expect(lefts.every((x) => x !== null && x === lefts[0]), `left edges ${lefts.join(", ")}`).toBe(true);
  // And elsewhere the page keeps its reading width (72rem: 1152 px wide, centred).
  await page.goto("/apis");
  const mainWidth = await page.locator("main#main").evaluate((el) => el.getBoundingClientRect().width);
  expect(mainWidth).toBe(1152);
});

test("on a phone the queue is cards, the panel opens in view with focus, and Escape returns focus to the row", async ({ page }) => {
  const { email } = await consumerWithRequests([{ slug: "payments", plan: "Standard" }, { slug: "weather", plan: "Standard" }]);
  // Signed in at the desktop size (the helper reads the header's desktop name), then a phone.
  await signInAs(page, "owner@portico.dev");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/admin/requests?requester=${encodeURIComponent(email)}`);
  const rows = page.getByTestId("queue-row");
  await expect(rows).toHaveCount(2);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // Each card names its fields (the headers are hidden on a phone): the label is page text, read
  // before its value, for plain text values and for wrapped ones alike.
  await expect(rows.first()).toContainText(/Status\s*Pending[\s\S]*App\s*\S[\s\S]*Plan\s*Standard[\s\S]*Requested at\s*\d/);
  const link = rows.nth(1).getByRole("link").first();
  await link.click();
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel.getByRole("heading", { level: 2 })).toBeFocused();
  expect(await page.evaluate(() => document.documentElement.scrollWidth), "the queue with the panel open at 390 px").toBeLessThanOrEqual(390);
  await expect(panel).toBeInViewport();
  const box = await panel.boundingBox();
  expect(box?.y ?? -1).toBeGreaterThanOrEqual(0);
  expect(box?.y ?? 9999).toBeLessThan(100);
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(rows.nth(1).getByRole("link").first()).toBeFocused();
});

test("the filter bar's Apply and Reset share a middle line, on a desktop and on a phone", async ({ page }) => {
  await signInAs(page, "owner@portico.dev", "/admin/requests");
  const filters = page.getByRole("form", { name: "Filter requests" });
  await expectOnOneMiddleLine(page, filters.getByRole("button", { name: "Apply filters" }), filters.getByRole("link", { name: "Reset" }));
});
