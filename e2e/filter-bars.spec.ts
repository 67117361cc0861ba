import { randomBytes } from "node:crypto";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { accessRequests, apiKeys, webhookEndpoints } from "../db/schema";
import { e2eDb } from "./db";
import { expectOnOneMiddleLine, signInAs } from "./helpers";
import { seriousViolations } from "./helpers-products";
import { approvedRequest } from "./keys-helpers";

/**
 * Every filter bar is one pattern (components/ui/filter-bar.tsx): an "Apply filters" button and a
 * "Reset" link, always shown and centred on one line; a grid that wraps, with no page wider than
 * the screen and no placeholder cut off, at 1280 and at 390 px; Reset back to the page unfiltered.
 */
const conn = e2eDb();
const tag = randomBytes(3).toString("hex");
let consumerEmail = "";
let endpointId = "";
let appId = "";
let keyId = "";

test.beforeAll(async () => {
  // Switched off from the start: it only has to show its delivery log's filters, never receive.
  const [endpoint] = await conn.db
    .insert(webhookEndpoints)
    .values({ name: `E2E filter bars ${tag}`, url: "https://receiver.invalid/hooks", secret: "unused", enabled: false, disabledReason: "admin" })
    .returning();
  // A consumer's app with a key, so its chart has a key to filter by.
  const approved = await approvedRequest(conn, "weather");
  const [request] = await conn.db.select().from(accessRequests).where(eq(accessRequests.id, approved.requestId));
  if (!endpoint || !request) throw new Error("endpoint or request");
  const [key] = await conn.db
    .insert(apiKeys)
    .values({ keyHash: `e2e-filter-bars-${tag}-${randomBytes(8).toString("hex")}`, start: `ptk_${tag.slice(0, 4)}`, appId: request.appId, requestId: request.id })
    .returning();
  if (!key) throw new Error("key");
  consumerEmail = approved.email;
  endpointId = endpoint.id;
  appId = request.appId;
  keyId = key.id;
});

test.afterAll(async () => {
  await conn.sql`delete from webhook_endpoints where id = ${endpointId}`;
  await conn.sql.end();
});

/** Functions, as the webhook endpoint and the app are made in beforeAll. */
type Bar = {
  page: string;
  /** Who signs in to see it. */
  who: () => string;
  /** The unfiltered URL, which Reset goes back to. */
  path: () => string;
  /** A query that sets some of its filters. */
  filtered: () => string;
  form: (page: Page) => Locator;
};

const ADMIN = "admin@portico.dev";
const admin = () => ADMIN;
const BARS: Bar[] = [
  { page: "Approval queue", who: admin, path: () => "/admin/requests", filtered: () => "?q=zzz&status=all&requester=nobody", form: (p) => p.getByRole("form", { name: "Filter requests" }) },
  { page: "Audit log", who: admin, path: () => "/admin/audit", filtered: () => "?q=zzz&subjectType=user&actor=nobody", form: (p) => p.getByRole("search", { name: "Filter the audit log" }) },
  { page: "Users", who: admin, path: () => "/admin/users", filtered: () => "?q=zzz&role=owner", form: (p) => p.getByRole("search", { name: "Filter users" }) },
  { page: "Products", who: admin, path: () => "/admin/products", filtered: () => "?q=zzz&status=draft", form: (p) => p.getByRole("search", { name: "Filter products" }) },
  { page: "Keys", who: admin, path: () => "/admin/keys", filtered: () => "?q=zzz&live=1", form: (p) => p.getByRole("search", { name: "Filter keys" }) },
  {
    page: "A webhook's delivery log",
    who: admin,
    path: () => `/admin/webhooks/${endpointId}`,
    filtered: () => "?status=failed&type=key.created",
    form: (p) => p.getByRole("search", { name: "Filter the delivery log" }),
  },
  { page: "A consumer's app chart", who: () => consumerEmail, path: () => `/apps/${appId}`, filtered: () => `?key=${keyId}`, form: (p) => p.getByRole("form", { name: "Filter the chart" }) },
];

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** Every named field's value, in order (a checkbox as checked or not). */
const fieldValues = (form: Locator) =>
  form.locator("input[name], select[name]").evaluateAll((fields) =>
    fields.map((f) => `${f.getAttribute("name")}=${f instanceof HTMLInputElement && f.type === "checkbox" ? f.checked : (f as HTMLInputElement | HTMLSelectElement).value}`),
  );

/**
 * The shown placeholders of the form that do not fit: the placeholder's text, measured on a canvas
 * in the input's own font, against the input's content box and against the box Chromium lays the
 * placeholder out in (read through the DevTools protocol, as a search box keeps room for its clear
 * button even while it is hidden, and scrollWidth does not count a placeholder at all).
 */
async function cutPlaceholders(page: Page, form: Locator) {
  const inputs = await form.locator("input[placeholder]").evaluateAll((all) =>
    all
      .filter((i): i is HTMLInputElement => i instanceof HTMLInputElement && i.checkVisibility())
      .map((input, n) => {
        input.dataset.measure = String(n);
        const style = getComputedStyle(input);
        const context = document.createElement("canvas").getContext("2d");
        if (!context) throw new Error("no canvas");
        context.font = style.font;
        return {
          placeholder: input.placeholder,
          text: context.measureText(input.placeholder).width,
          content: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
        };
      }),
  );
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send("DOM.getDocument", { depth: -1, pierce: true });
    type DomNode = typeof root;
    const attribute = (n: DomNode, name: string) => {
      const a = n.attributes ?? [];
      const i = a.indexOf(name);
      return i >= 0 && i % 2 === 0 ? a[i + 1] : undefined;
    };
    const boxes = new Map<string, number>();
    const walk = (n: DomNode, measured?: string) => {
      if (measured !== undefined && attribute(n, "pseudo") === "-webkit-input-placeholder") boxes.set(measured, n.nodeId);
      const mark = attribute(n, "data-measure") ?? measured;
      for (const child of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) walk(child, mark);
    };
    walk(root);
    const cut: string[] = [];
    for (const [n, input] of inputs.entries()) {
      const nodeId = boxes.get(String(n));
      if (nodeId === undefined) throw new Error(`no placeholder box for “${input.placeholder}”`);
      const { model } = await cdp.send("DOM.getBoxModel", { nodeId });
      const [left = 0, , right = 0] = model.content;
      const room = Math.min(input.content, right - left);
      if (input.text > room) cut.push(`“${input.placeholder}” needs ${input.text.toFixed(1)} px, has ${room.toFixed(1)}`);
    }
    return cut;
  } finally {
    await cdp.detach();
  }
}

for (const bar of BARS) {
  test(`${bar.page}: the filter bar says Apply filters and Reset on one line, fits 1280 and 390 px, and Reset clears it`, async ({ page }) => {
    await signInAs(page, bar.who(), bar.path());
    const form = bar.form(page);
    const apply = form.getByRole("button", { name: "Apply filters", exact: true });
    const reset = form.getByRole("link", { name: "Reset", exact: true });

    // The two controls, by these words only, shown before anything is filtered too. Soft, as are the
    // checks of size and axe below: one run lists everything wrong with a bar.
    await expect.soft(form.locator("button[type=submit]")).toHaveText(["Apply filters"]);
    await expect.soft(reset).toHaveAttribute("href", bar.path());

    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      await page.goto(bar.path());
      await expect.soft(apply).toBeVisible();
      await expect.soft(reset).toBeVisible();
      // Folded filters (More filters on a phone) are opened, so their placeholders are measured too.
      const more = form.getByRole("button", { name: /^More filters/ });
      // A click before the page has hydrated opens nothing: click again until the fold says it is open.
      if (await more.isVisible()) {
        await expect(async () => {
          if (await more.isVisible()) await more.click();
          await expect(form.getByRole("button", { name: /^Fewer filters/ })).toHaveAttribute("aria-expanded", "true", { timeout: 2_000 });
        }).toPass({ timeout: 20_000 });
      }
      expect.soft(await cutPlaceholders(page, form), `placeholders at ${viewport.width} px`).toEqual([]);
      expect.soft(await page.evaluate(() => document.documentElement.scrollWidth), `page width at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
      expect.soft(await seriousViolations(page), `${bar.path()} at ${viewport.width} px`).toEqual([]);
    }
    await expectOnOneMiddleLine(page, apply, reset);

    // Reset: from a filtered view back to the unfiltered URL, every field as a fresh load shows it.
    await page.goto(bar.path());
    const unfiltered = await fieldValues(form);
    await page.goto(`${bar.path()}${bar.filtered()}`);
    expect(await fieldValues(form)).not.toEqual(unfiltered);
    await reset.click();
    await expect.poll(() => new URL(page.url()).pathname + new URL(page.url()).search).toBe(bar.path());
    await expect.poll(() => fieldValues(form)).toEqual(unfiltered);
  });
}

test("on a phone the audit log starts with search and action; the other filters fold away unless set", async ({ page }) => {
  await signInAs(page, ADMIN);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/admin/audit");
  const filters = page.getByRole("search", { name: "Filter the audit log" });
  await expect(filters.getByLabel("Search")).toBeVisible();
  await expect(filters.getByRole("combobox", { name: "Action", exact: true })).toBeVisible();
  await expect(filters.getByLabel("Subject type")).toBeHidden();
  await expect(filters.getByLabel("From", { exact: true })).toBeHidden();
  // The list starts on the first screen: its CSV link, right under the filters, is in view.
  const exportLink = page.getByRole("link", { name: "Export this view as CSV" });
  const box = await exportLink.boundingBox();
  expect((box?.y ?? Infinity) + (box?.height ?? 0)).toBeLessThanOrEqual(844);

  // By keyboard: the fold opens and says so.
  const more = filters.getByRole("button", { name: "More filters" });
  // An Enter before the page has hydrated opens nothing: press again until the fold says it is open.
  await expect(async () => {
    if (await more.isVisible()) {
      await more.focus();
      await page.keyboard.press("Enter");
    }
    await expect(filters.getByRole("button", { name: "Fewer filters" })).toHaveAttribute("aria-expanded", "true", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(filters.getByLabel("Subject type")).toBeVisible();
  await filters.getByLabel("Who (email or API key name)").fill(ADMIN);
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/actor=admin%40portico\.dev/);
  // A filter that is set is never hidden.
  await expect(filters.getByLabel("Who (email or API key name)")).toHaveValue(ADMIN);
  await expect(filters.getByRole("button", { name: "Fewer filters" })).toHaveAttribute("aria-expanded", "true");
  // So does each of the other folded ones, set alone.
  for (const set of ["subjectType=user", "subjectId=00000000-0000-0000-0000-000000000000", "from=2026-01-01", "to=2026-12-31"]) {
    await page.goto(`/admin/audit?${set}`);
    await expect(filters.getByRole("button", { name: "Fewer filters" }), set).toHaveAttribute("aria-expanded", "true");
  }

  // From the sm breakpoint up every filter shows, with no fold.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/admin/audit");
  await expect(filters.getByLabel("Subject type")).toBeVisible();
  await expect(filters.getByRole("button", { name: "More filters" })).toBeHidden();
});
