import { randomBytes } from "node:crypto";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { startWebhookReceiver } from "../tests/webhook-receiver";
import { users } from "../db/schema";
import { e2eDb } from "./db";
import { signInAs } from "./helpers";
import { rememberSecret } from "./keys-helpers";
import { seriousViolations } from "./helpers-products";

const conn = e2eDb();
const tag = randomBytes(3).toString("hex");
const name = `E2E hooks ${tag}`;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
test.afterAll(async () => {
  // Nothing more is owed to this spec's receiver once it stops (later specs' events would fail there for a day).
  await conn.sql`update webhook_endpoints set enabled = false, disabled_reason = 'admin' where name like ${`E2E hooks ${tag}%`}`;
  await receiver.close();
  await conn.sql.end();
});


const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function newAdmin() {
  const email = `webhooks-admin-${tag}@example.com`;
  await conn.db.insert(users).values({ email, name: "Webhooks admin", role: "admin" });
  return email;
}

/** Reloads until the locator shows the text (the worker delivers in the background). */
async function reloadUntil(page: Page, locator: () => Locator, text: string | RegExp) {
  await expect(async () => {
    await page.reload();
    await expect(locator()).toContainText(text, { timeout: 2_000 });
  }).toPass({ timeout: 45_000 });
}

/** Presses Send test event and returns the new message's webhook-id (from the answer beside the button). */
async function sendTest(page: Page) {
  await page.getByRole("button", { name: "Send test event" }).click();
  const status = page.getByRole("status").filter({ hasText: /Test event msg_[\w-]+ queued/ });
  await expect(status).toBeVisible();
  const id = /msg_[\w-]+/.exec((await status.textContent()) ?? "")?.[0];
  if (!id) throw new Error("no event id in the answer");
  return id;
}

const received = (id: string) => receiver.attempts.filter((a) => a.id === id);

test("an admin adds an endpoint, sees its secret once, tests, resends, recovers, rotates, filters the log and removes it", async ({ page }) => {
  test.setTimeout(300_000);
  await signInAs(page, await newAdmin(), "/admin/webhooks");
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Webhooks" })).toHaveAttribute("aria-current", "page");
  const [{ n: existing } = { n: 0 }] = await conn.sql<{ n: number }[]>`select count(*)::int as n from webhook_endpoints`;
  if (existing === 0) await expect(page.getByText("No webhook endpoints yet")).toBeVisible();
  expect(await seriousViolations(page), "/admin/webhooks").toEqual([]);

  await page.getByRole("link", { name: "Add endpoint" }).first().click();
  await expect(page).toHaveURL(/\/admin\/webhooks\/new$/);
  const add = page.getByRole("button", { name: "Add endpoint" });
  await expect(add).toBeEnabled();
  expect(await seriousViolations(page), "/admin/webhooks/new").toEqual([]);

  // Bad input: told beside each field, what was typed is kept, nothing written.
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Endpoint URL").fill("not a url");
  await page.getByLabel("Only the events I choose").check();
  await add.click();
  await expect(page.locator("#eventTypes-error")).toHaveText("Choose at least one event, or All events.");
  await page.getByRole("checkbox", { name: /product\.published/ }).check();
  await page.getByRole("checkbox", { name: /key\.revoked/ }).check();
  await add.click();
  await expect(page.locator("#url-error")).toBeVisible();
  await expect(page.getByLabel("Endpoint URL")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
  await expect(page.getByRole("checkbox", { name: /key\.revoked/ })).toBeChecked();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  expect((await conn.sql`select id from webhook_endpoints where name = ${name}`).length).toBe(0);

  await page.getByLabel("Endpoint URL").fill(receiver.url);
  await page.getByLabel("Description (optional)").fill("Receives test events from the e2e spec.");
  await add.click();

  // The secret, once, with Copy and how to verify.
  const dialog = page.getByRole("dialog", { name: "Webhook endpoint added" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("You will not see it again");
  await expect(dialog).toContainText("standardwebhooks");
  await expect(dialog.getByRole("button", { name: "Copy signing secret" })).toBeVisible();
  const secret = await dialog.getByRole("textbox", { name: "Signing secret" }).inputValue();
  rememberSecret(secret);
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(await seriousViolations(page), "secret dialog").toEqual([]);
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.getByRole("button", { name: "I have copied it" }).click();
  await expect(page).toHaveURL(/\/admin\/webhooks\/[0-9a-f-]{36}$/);
  const endpointUrl = page.url();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByTestId("endpoint-url")).toHaveText(receiver.url);
  // Reload: not shown again, anywhere on the page; kept only sealed.
  await page.reload();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  const [stored] = await conn.sql`select e::text as row, id from webhook_endpoints e where name = ${name}`;
  expect(String(stored?.row)).not.toContain(secret);
  expect(await seriousViolations(page), "endpoint page").toEqual([]);

  // Send test event → the receiver verifies it; the log shows a succeeded attempt.
  receiver.setSecret(secret);
  const first = await sendTest(page);
  await expect.poll(() => received(first).some((m) => m.verified && m.type === "webhook.test"), { timeout: 30_000 }).toBe(true);
  const row = (id: string) => page.getByTestId("message-row").filter({ hasText: id });
  await reloadUntil(page, () => row(first), "Succeeded");
  await expect(row(first)).toContainText("HTTP 204");

  // The receiver fails once: the log keeps the 500 and its response; the retry (5 s) succeeds; Resend sends it again.
  receiver.failNext(1);
  const second = await sendTest(page);
  await expect.poll(() => received(second).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await reloadUntil(page, () => row(second), "Succeeded");
  await row(second).getByRole("link", { name: second }).click();
  await expect(page.getByRole("heading", { level: 1, name: "webhook.test" })).toBeVisible();
  const attempts = page.getByTestId("attempt");
  await expect(attempts).toHaveCount(2);
  await expect(attempts.nth(0).getByTestId("attempt-result")).toHaveText("HTTP 500");
  await expect(attempts.nth(0).getByTestId("attempt-response")).toHaveText("receiver failing on purpose");
  await expect(attempts.nth(1).getByTestId("attempt-result")).toHaveText("HTTP 204");
  await expect(page.getByTestId("message-body")).toContainText(`"id": "${second}"`);
  expect(await seriousViolations(page), "message page").toEqual([]);
  await page.getByRole("button", { name: `Resend ${second}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Resent" })).toBeVisible();
  await expect.poll(() => received(second).length, { timeout: 30_000 }).toBe(3);
  await reloadUntil(page, () => page.getByTestId("attempt").nth(2), "HTTP 204");
  await expect(page.getByTestId("message-status")).toHaveText("Succeeded");
  expect(new Set(received(second).map((m) => m.id)).size).toBe(1);

  // A message whose retries ran out (a day of them is too long for a test: the schedule's end is
  // written as deliver.ts would, once no attempt is in flight), then Disable.
  await page.goto(endpointUrl);
  receiver.failNext(1000);
  const third = await sendTest(page);
  await expect.poll(() => received(third).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  await expect
    .poll(
      async () =>
        (await conn.sql`update webhook_deliveries set status = 'failed' where event_id = ${third} and status = 'pending' and (lease_until is null or lease_until < now()) returning id`)
          .length,
      { timeout: 30_000 },
    )
    .toBe(1);
  await page.reload();
  await expect(row(third)).toContainText("Failed");

  // Filters: by status and by event type.
  await page.getByLabel("Status", { exact: true }).selectOption("failed");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(page.getByTestId("message-row")).toHaveCount(1);
  await expect(row(third)).toBeVisible();
  await page.getByLabel("Status", { exact: true }).selectOption("succeeded");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=succeeded/);
  await expect(row(first)).toBeVisible();
  await expect(row(third)).toHaveCount(0);
  await page.getByLabel("Event type").selectOption("key.created");
  await page.getByLabel("Status", { exact: true }).selectOption("");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/type=key\.created/);
  await expect(page.getByTestId("log-empty")).toContainText("No messages match");
  await page.getByRole("link", { name: "Reset the filters" }).click();
  await expect(page.getByTestId("message-row")).toHaveCount(3);

  // Disable: Send test event is refused with what to do.
  await page.getByRole("button", { name: "Disable", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Disabled" })).toBeVisible();
  await expect(page.getByTestId("disabled-reason").first()).toHaveText("Disabled by an admin.");
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "This endpoint is disabled: enable it, then send a test event." })).toBeVisible();
  // Enable, fix the receiver, Recover the failed message (since a day ago by default).
  await page.getByRole("button", { name: "Enable", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Enabled" })).toBeVisible();
  receiver.failNext(0);
  await page.getByRole("button", { name: "Recover failed messages" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Recovering 1 failed message" })).toBeVisible();
  await expect.poll(() => received(third).some((m) => m.verified), { timeout: 30_000 }).toBe(true);
  await reloadUntil(page, () => row(third), "Succeeded");
  // Bad input to Recover: told beside the field.
  await page.getByLabel("Failed since (UTC)").fill("");
  await page.getByRole("button", { name: "Recover failed messages" }).click();
  await expect(page.locator("#since-error")).toContainText("Enter a date and time (UTC)");

  // Rotate: confirm, the new secret once; both secrets sign for a day.
  await page.getByRole("button", { name: "Rotate secret" }).click();
  const confirm = page.getByRole("dialog", { name: `Rotate the signing secret of ${name}?` });
  await expect(confirm).toContainText("keeps signing beside it for 24 hours");
  await confirm.getByRole("button", { name: "Rotate secret" }).click();
  const rotated = page.getByRole("dialog", { name: "New signing secret" });
  await expect(rotated).toBeVisible();
  const newSecret = await rotated.getByRole("textbox", { name: "Signing secret" }).inputValue();
  rememberSecret(newSecret);
  expect(newSecret).toMatch(/^whsec_/);
  expect(newSecret).not.toBe(secret);
  await expect(rotated).toContainText("The previous secret keeps signing beside this one until");
  await rotated.getByRole("button", { name: "Done" }).click();
  await rotated.getByRole("button", { name: "I have copied it" }).click();
  await expect(rotated).toBeHidden();
  await page.reload();
  expect(await page.content()).not.toContain(newSecret);
  await expect(page.getByTestId("previous-secret")).toBeVisible();
  // The receiver still on the old secret verifies; then on the new one too.
  const onOld = await sendTest(page);
  await expect.poll(() => received(onOld).some((m) => m.verified), { timeout: 30_000 }).toBe(true);
  expect(String(received(onOld)[0]?.headers["webhook-signature"]).split(" ")).toHaveLength(2);
  receiver.setSecret(newSecret);
  const onNew = await sendTest(page);
  await expect.poll(() => received(onNew).some((m) => m.verified), { timeout: 30_000 }).toBe(true);

  // A 390 px phone: the list and the log are cards, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/admin/webhooks");
  const card = page.getByTestId("endpoint-card").filter({ hasText: name });
  await expect(card).toBeVisible();
  await expect(card).toContainText("key.revoked");
  expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
  expect(await seriousViolations(page), "/admin/webhooks on a phone").toEqual([]);
  await card.getByRole("link", { name }).click();
  await expect(page.getByTestId("message-card").first()).toBeVisible();
  expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
  for (const button of ["Send test event", "Rotate secret", "Remove"]) {
    const box = await page.getByRole("button", { name: button, exact: true }).boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390, button).toBe(true);
  }
  expect(await seriousViolations(page), "endpoint page on a phone").toEqual([]);
  await page.getByTestId("message-card").filter({ hasText: second }).getByRole("link", { name: second }).click();
  await expect(page.getByTestId("attempt")).toHaveCount(3);
  expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
  await page.goto("/admin/webhooks/new");
  expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Edit: all events now; the form starts from what is saved and says when it is saved.
  await page.goto(endpointUrl);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
  await expect(page.getByLabel("Only the events I choose")).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /key\.revoked/ })).toBeChecked();
  const save = page.getByRole("button", { name: "Save endpoint" });
  await expect(save).toBeEnabled();
  expect(await seriousViolations(page), "edit page").toEqual([]);
  await page.getByLabel("All events (and those added later)").check();
  await save.click();
  await expect(page.getByRole("status").filter({ hasText: `Saved ${name}.` })).toBeVisible();
  expect((await conn.sql`select event_types from webhook_endpoints where name = ${name}`)[0]?.event_types).toBeNull();
  await page.goto(endpointUrl);
  await expect(page.getByText("All events, including ones added later")).toBeVisible();

  // Remove: asks first (Cancel keeps it), says plans fall back to manual approval, then the list.
  await page.goto(endpointUrl);
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  const removeDialog = page.getByRole("dialog", { name: `Remove ${name}?` });
  await expect(removeDialog).toContainText("fall back to manual approval");
  await removeDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(removeDialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Remove", exact: true })).toBeFocused();
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  await removeDialog.getByRole("button", { name: "Remove endpoint" }).click();
  await expect(page).toHaveURL(/\/admin\/webhooks\?removed=1$/);
  await expect(page.getByRole("status")).toContainText("The endpoint was removed.");
  await expect(page.getByTestId("endpoint-row").filter({ hasText: name })).toHaveCount(0);
  expect((await conn.sql`select id from webhook_endpoints where name = ${name}`).length).toBe(0);
  const audit = await conn.sql`select action from audit_events where subject_type = 'webhook_endpoint' and subject_id = ${String(stored?.id)} order by id`;
  expect(audit.map((a) => a.action)).toEqual([
    "webhook_endpoint.created",
    "webhook_endpoint.test_sent",
    "webhook_endpoint.test_sent",
    "webhook_endpoint.message_resent",
    "webhook_endpoint.test_sent",
    "webhook_endpoint.disabled",
    "webhook_endpoint.enabled",
    "webhook_endpoint.recovered",
    "webhook_endpoint.secret_rotated",
    "webhook_endpoint.test_sent",
    "webhook_endpoint.test_sent",
    "webhook_endpoint.updated",
    "webhook_endpoint.removed",
  ]);
});
