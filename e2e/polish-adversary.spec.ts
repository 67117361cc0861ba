import { randomBytes } from "node:crypto";
import { type Browser, expect, type Locator, type Page, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { apps, plans, productPlans, products, users } from "../db/schema";
import { createApiAccessKey } from "../lib/api-access/manage";
import { addToCart } from "../lib/cart/cart-store";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";
import { e2eDb } from "./db";
import { recordErrors } from "./console-errors";
import { signInAs } from "./helpers";
import { inBothThemes } from "./helpers-theme";
import { BASE_URL, pendingRequest, rememberSecret } from "./keys-helpers";

/**
 * An adversarial review of ed248e9..fad2904 (red triggers of destructive actions, DataTable's align
 * and empty phone lines, Import keys as a Button, the header's current section, the queue panel's
 * products line). Each test says whether what it checks is new in these commits or older, and
 * whether it passes.
 */

const conn = e2eDb();
test.afterAll(() => conn.sql.end());
const tag = () => randomBytes(4).toString("hex");

async function seedUser(role: "consumer" | "owner" | "admin", prefix: string) {
  const email = `adv-polish-${prefix}-${tag()}@example.com`;
  const [u] = await conn.db.insert(users).values({ email, name: `Adv polish ${prefix}`, role }).returning();
  if (!u) throw new Error(`could not create ${email}`);
  return u;
}

/** Until React has hydrated the header (its nav carries React's fiber key): what the page shows after hydration. */
const hydrated = (page: Page) =>
  page.waitForFunction(() => {
    const nav = document.querySelector('nav[aria-label="Main"]');
    return nav !== null && Object.keys(nav).some((k) => k.startsWith("__reactFiber"));
  }, undefined, { timeout: 15_000 });

const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The header's links that carry aria-current, as "<text>=<value>". */
const headerCurrent = (page: Page) =>
  page.evaluate(() => {
    const h = document.querySelector('[data-testid="site-header"]');
    if (!h) return ["(no header)"];
    return [...h.querySelectorAll("a[aria-current]")].map((a) => `${(a.textContent ?? "").trim()}=${a.getAttribute("aria-current")}`);
  });

/** The same page as the server sent it, read in a context without JavaScript (no hydration) and the same cookies. */
async function serverRendered(browser: Browser, page: Page, path: string) {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE_URL });
  try {
    await context.addCookies(await page.context().cookies());
    const raw = await context.newPage();
    await raw.goto(path, { waitUntil: "domcontentloaded", timeout: 15_000 });
    return await headerCurrent(raw);
  } finally {
    await context.close();
  }
}

/** A colour as drawn (sRGB, 0–255), whatever syntax the computed style uses (Tailwind 4's are oklch). */
async function drawn(el: Locator, property: "color" | "backgroundColor") {
  return el.evaluate((node, prop) => {
    const toRgb = (css: string) => {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 1;
      const ctx = canvas.getContext("2d");
      if (!ctx) throw new Error("no canvas");
      ctx.fillStyle = "#000";
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return { r: r ?? 0, g: g ?? 0, b: b ?? 0, a: a ?? 0, css };
    };
    let current: Element | null = node;
    // For a background: the first ancestor that paints one (the surface the button sits on).
    while (current) {
      const css = getComputedStyle(current)[prop];
      const c = toRgb(css);
      if (prop === "color" || c.a === 255) return c;
      current = current.parentElement;
    }
    return toRgb("#fff");
  }, property);
}

function luminance({ r, g, b }: { r: number; g: number; b: number }) {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
const contrast = (a: { r: number; g: number; b: number }, b: { r: number; g: number; b: number }) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return Math.round(((x + 0.05) / (y + 0.05)) * 100) / 100;
};
/** Past the buttons' hover transition (150 ms). */
const settle = (page: Page) => page.waitForTimeout(300);

// ───────────────────────── The header's current section (55cf211, new) ─────────────────────────

// NEW. The catalogue's addresses are rewritten by proxy.ts (/apis?q= to /catalogue-search, an unknown
// product to /missing): usePathname on the server could read the rewritten path, and React does not
// patch a hydrated attribute. Compares the server's HTML (no JavaScript) with the hydrated page.
test("header: the server's HTML and the hydrated page mark the same link, on rewritten catalogue addresses and elsewhere", async ({ page, browser }) => {
  const admin = await seedUser("admin", "nav-ssr");
  await signInAs(page, admin.email);
  const cases: [string, string[]][] = [
    ["/apis?q=pay", ["APIs"]],
    ["/apis/payments?from=adv", ["APIs"]],
    ["/apis/no-such-product-adv", ["APIs"]],
    ["/admin/requests", ["Admin"]],
    ["/requests", ["My requests"]],
    ["/dev/mailbox", ["Dev mailbox"]],
    ["/apps", ["Apps"]],
    ["/cart", ["Cart"]],
    ["/account", []],
  ];
  const seen: Record<string, { server: string[]; hydrated: string[] }> = {};
  for (const [path] of cases) {
    console.log(`header marks: ${path}`);
    await page.goto(path, { waitUntil: "domcontentloaded" });
    await hydrated(page);
    seen[path] = { hydrated: await headerCurrent(page), server: await serverRendered(browser, page, path) };
  }
  console.log(`header marks: ${JSON.stringify(seen)}`);
  for (const [path, expected] of cases) {
    const { server, hydrated: after } = seen[path] ?? { server: [], hydrated: [] };
    expect(after.map((h) => h.split("=")[0]), `${path}: marked after hydration`).toEqual(expected);
    // An unknown product's 404 (/missing) streams its page in: without JavaScript the HTML at
    // DOMContentLoaded has no header yet, which says nothing about the mark.
    if (path !== "/apis/no-such-product-adv") expect(server, `${path}: the server's HTML marks what the hydrated page marks`).toEqual(after);
  }
});

// NEW. A mismatch between the server's and the client's pathname, or a table's cells, would show as a
// hydration error (React's #418/#425 in a production build) in the console.
test("header and tables: no console error or hydration error on the pages these commits changed", async ({ page }) => {
  const errors = recordErrors(page);
  const admin = await seedUser("admin", "console");
  await signInAs(page, admin.email);
  for (const path of ["/apis?q=pay", "/apis/payments", "/admin/users", "/admin/audit", "/admin/keys", "/admin/api-keys", "/requests", "/cart", "/dev/mailbox"]) {
    await page.goto(path);
    await hydrated(page);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/admin/users", "/admin/audit", "/admin/keys"]) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(errors).toEqual([]);
});

// NEW. A client-side navigation keeps the root layout: the mark must follow usePathname.
test("header: the mark follows client-side navigation and Back, and /admin/requests is Admin, not My requests", async ({ page }) => {
  const admin = await seedUser("admin", "nav-client");
  await signInAs(page, admin.email, "/apis");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "APIs", exact: true })).toHaveAttribute("aria-current", /.+/);
  // A marker on window: a full page load would drop it.
  await page.evaluate(() => ((window as unknown as { advMarker: number }).advMarker = 1));
  await nav.getByRole("link", { name: "My requests", exact: true }).click();
  await expect(page).toHaveURL(/\/requests$/);
  await expect(nav.getByRole("link", { name: "My requests", exact: true })).toHaveAttribute("aria-current", /.+/);
  await expect(nav.getByRole("link", { name: "APIs", exact: true })).not.toHaveAttribute("aria-current", /.*/);
  await nav.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByRole("link", { name: /^Approval queue/ }).first().click();
  await expect(page).toHaveURL(/\/admin\/requests/);
  expect(await headerCurrent(page)).toEqual([expect.stringMatching(/^Admin=/)]);
  await page.goBack();
  await page.goBack();
  await expect(page).toHaveURL(/\/requests$/);
  expect(await headerCurrent(page)).toEqual([expect.stringMatching(/^My requests=/)]);
  expect(await page.evaluate(() => (window as unknown as { advMarker?: number }).advMarker), "all of it without a page load").toBe(1);
});

// NEW. Signed out: APIs and Cart are the only links; a product page marks APIs.
test("header: signed out, a product page marks APIs and nothing else", async ({ page }) => {
  await page.goto("/apis/payments");
  await hydrated(page);
  expect(await headerCurrent(page)).toEqual([expect.stringMatching(/^APIs=/)]);
  await page.goto("/apis-adv-not-a-section");
  expect(await headerCurrent(page)).toEqual([]);
});

// NEW. Failed on 284e808, passes since 2bbbcf5. aria-current="page" says "this link is the page you are on" (screen readers: "current
// page"). The header's section link says it on every page inside the section, where following it
// leads elsewhere: on /apis/payments "APIs, current page" leads to the catalogue, on /admin/users the
// header's "Admin" and the sidebar's "Users" are both "current page" and lead to two addresses. A link
// to a page that holds the current one is aria-current="true" ("current"), as the GOV.UK service
// navigation and the WAI-ARIA definition of "page" have it.
test("header: a link marked aria-current=\"page\" leads to the page you are on; a section's link inside it is aria-current=\"true\"", async ({ page }) => {
  const admin = await seedUser("admin", "nav-page");
  await signInAs(page, admin.email);
  const report: Record<string, string[]> = {};
  for (const path of ["/apis", "/apis/payments", "/admin", "/admin/users", "/requests", "/cart"]) {
    await page.goto(path);
    await hydrated(page);
    const pages = await page.evaluate(() =>
      [...document.querySelectorAll('a[aria-current="page"]')].map((a) => ({ text: (a.textContent ?? "").trim(), to: new URL((a as HTMLAnchorElement).href).pathname })),
    );
    report[path] = pages.map((p) => `${p.text} → ${p.to}`);
    for (const p of pages) expect(p.to, `${path}: "${p.text}" is announced as the current page`).toBe(path);
  }
  console.log(`aria-current="page" links: ${JSON.stringify(report)}`);
  await page.goto("/apis/payments");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "APIs", exact: true })).toHaveAttribute("aria-current", "true");
});

// NEW (failed on 3889b1d; passes since the current link is underlined instead of semibold).
// The semibold current link was a few px wider. Measured on one page with and without
// the current link's weight (nothing else differs), at each width from 640 to 1280 px: where the bold
// alone makes the bar's links wrap to one more row, the bar grows as you enter the section.
test("header: from 640 to 1280 px the current link's semibold does not wrap the bar to another row", async ({ page }) => {
  const admin = await seedUser("admin", "nav-wrap");
  await signInAs(page, admin.email);
  const diffs: string[] = [];
  for (const path of ["/requests", "/dev/mailbox", "/admin", "/apis", "/apps"]) {
    await page.goto(path);
    await hydrated(page);
    for (let w = 640; w <= 1280; w += 8) {
      await page.setViewportSize({ width: w, height: 800 });
      const [bold, regular] = await page.getByTestId("site-header").evaluate((h) => {
        const link = h.querySelector<HTMLElement>("a[aria-current]");
        if (!link) return [0, 0];
        const height = () => Math.round(h.getBoundingClientRect().height);
        const b = height();
        link.style.fontWeight = "400";
        const r = height();
        link.style.fontWeight = "";
        return [b, r];
      });
      if (bold !== regular) diffs.push(`${path} at ${w}px: ${bold} px tall with the semibold link, ${regular} px without`);
    }
  }
  console.log(`header height differences: ${JSON.stringify(diffs)}`);
  expect(diffs).toEqual([]);
});

// ───────────────────────── Red triggers (ed248e9, new to these buttons) ─────────────────────────

// NEW to Archive (failed on 284e808, passes since 04dd3c5). The destructive variant had disabled:bg-red-400 in both themes and no disabled:hover rule. Archive is disabled while
// its step is open, so it now shows that state. In light red-400 reads fainter than red-600; in dark
// the enabled button is red-700 on zinc, and red-400 is far brighter: the disabled trigger is the
// loudest thing in the section, louder than the step's enabled "Archive now".
test("dark and light: Archive, disabled while its step is open, is fainter than the enabled Archive now, and hovering it changes nothing", async ({ page }) => {
  const admin = await seedUser("admin", "archive");
  await signInAs(page, admin.email, "/admin/products");
  await page.getByRole("link", { name: "Weather API" }).click();
  const archive = page.getByRole("button", { name: "Archive", exact: true });
  await archive.click();
  const step = page.getByRole("group", { name: /^Archive / });
  const now = step.getByRole("button", { name: "Archive now" });
  await expect(now).toBeVisible();
  await expect(archive).toBeDisabled();
  const found: Record<string, unknown> = {};
  const problems: string[] = [];
  await inBothThemes(page, async (theme) => {
    await page.mouse.move(0, 0);
    await settle(page);
    const surface = await drawn(step, "backgroundColor");
    const [disabledBg, enabledBg] = [await drawn(archive, "backgroundColor"), await drawn(now, "backgroundColor")];
    const disabledText = await drawn(archive, "color");
    await archive.hover({ force: true });
    await settle(page);
    const disabledHoverBg = await drawn(archive, "backgroundColor");
    await page.mouse.move(0, 0);
    const fill = { disabled: contrast(disabledBg, surface), enabled: contrast(enabledBg, surface) };
    found[theme] = { surface: surface.css, disabled: disabledBg.css, enabled: enabledBg.css, disabledHover: disabledHoverBg.css, fillAgainstSurface: fill, disabledText: contrast(disabledText, disabledBg) };
    if (fill.disabled > fill.enabled) problems.push(`${theme}: the disabled Archive stands out ${fill.disabled}:1 from its surface, the enabled Archive now ${fill.enabled}:1`);
    if (disabledHoverBg.css !== disabledBg.css) problems.push(`${theme}: hovering the disabled Archive turns it from ${disabledBg.css} to ${disabledHoverBg.css}`);
  });
  console.log(`archive, step open: ${JSON.stringify(found)}`);
  // Escape closes the step and gives focus back to Archive (a keyboard user is not dropped on <body>).
  await now.focus();
  await page.keyboard.press("Escape");
  await expect(step).toBeHidden();
  await expect(archive).toBeFocused();
  expect(problems).toEqual([]);
});

// The red triggers' words are white on red-600 (light) and red-700 (dark); hover swaps them (700 in
// light, 600 in dark). Both at least 4.5:1 for 14 px medium text.
test("red triggers: white text at 4.5:1 or more on their fill, at rest and on hover, in both themes (Delete app…, Archive)", async ({ page }) => {
  const consumer = await seedUser("consumer", "red-app");
  const [app] = await conn.db.insert(apps).values({ ownerId: consumer.id, name: `Adv red ${tag()}` }).returning();
  if (!app) throw new Error("app");
  const found: Record<string, number> = {};
  const measure = async (label: string, button: Locator) => {
    await inBothThemes(page, async (theme) => {
      await page.mouse.move(0, 0);
      await settle(page);
      found[`${label} ${theme}`] = contrast(await drawn(button, "color"), await drawn(button, "backgroundColor"));
      await button.hover();
      await settle(page);
      found[`${label} ${theme} hover`] = contrast(await drawn(button, "color"), await drawn(button, "backgroundColor"));
    });
  };
  await signInAs(page, consumer.email, `/apps/${app.id}`);
  await measure("Delete app…", page.getByRole("button", { name: "Delete app…" }));
  await page.context().clearCookies();
  const admin = await seedUser("admin", "red-archive");
  await signInAs(page, admin.email, "/admin/products");
  await page.getByRole("link", { name: "Weather API" }).click();
  await measure("Archive", page.getByRole("button", { name: "Archive", exact: true }));
  console.log(`white on red: ${JSON.stringify(found)}`);
  for (const [k, v] of Object.entries(found)) expect(v, k).toBeGreaterThanOrEqual(4.5);
});

// NEW (failed on 3889b1d; passes since a Button's colours ease only into hover). Remove on /admin/api-keys is disabled until hydration
// (disabled={!hydrated}) and now red: when it is enabled its fill fades from red-400 to red-600 over
// transition-colors' 150 ms, and white on the fill is under 4.5:1 for nearly all of the fade (red-600
// itself is 4.77:1). An axe scan that lands in that window fails: e2e/a11y.spec.ts "the admin's
// /admin, /admin/users, /admin/audit, /admin/api-keys, …" failed once in three runs here with
// color-contrast on this button (light), and passed on the two reruns. The secondary variant it had
// fades too, but its text reaches 4.5:1 early in the fade.
test("Remove (API access keys): the moment it is enabled, its white text is not under 4.5:1 while the fill fades in", async ({ page }) => {
  const admin = await seedUser("admin", "remove-fade");
  const name = `Adv fade ${tag()}`;
  const { token } = await createApiAccessKey(conn.db, { kind: "user", id: admin.id, role: "admin", disabled: false }, { name, expiry: "90d", roles: [{ role: "portal_viewer" }], issuer: BASE_URL });
  rememberSecret(token);
  await signInAs(page, admin.email, "/admin/api-keys");
  const remove = page.getByRole("button", { name: `Remove ${name}` }).first();
  await expect(remove).toBeEnabled();
  // As hydration does it: disabled at first paint, then enabled; sampled every 25 ms after.
  const samples = await remove.evaluate(async (b: HTMLButtonElement) => {
    const toRgb = (css: string) => {
      const c = document.createElement("canvas");
      c.width = c.height = 1;
      const x = c.getContext("2d");
      if (!x) throw new Error("canvas");
      x.fillStyle = css;
      x.fillRect(0, 0, 1, 1);
      return [...x.getImageData(0, 0, 1, 1).data].slice(0, 3);
    };
    const lum = (rgb: number[]) =>
      rgb.map((v) => v / 255).map((s) => (s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4)).reduce((sum, v, i) => sum + v * ([0.2126, 0.7152, 0.0722][i] ?? 0), 0);
    const ratio = () => {
      const [f, t] = [lum(toRgb(getComputedStyle(b).backgroundColor)), lum(toRgb(getComputedStyle(b).color))];
      return Math.round(((Math.max(f, t) + 0.05) / (Math.min(f, t) + 0.05)) * 100) / 100;
    };
    b.disabled = true;
    await new Promise((r) => setTimeout(r, 400));
    b.disabled = false;
    const out: number[] = [];
    for (let i = 0; i < 8; i++) {
      out.push(ratio());
      await new Promise((r) => setTimeout(r, 25));
    }
    return out;
  });
  console.log(`Remove's text contrast every 25 ms after it is enabled: ${JSON.stringify(samples)}`);
  expect(samples.filter((r) => r < 4.5), "samples under 4.5:1").toEqual([]);
});

// ───────────────────────── Phone widths and keyboard (all commits) ─────────────────────────

test("390 px (and the cart at 320 px): the pages these commits touched do not scroll sideways; Users' menu buttons stay inside their cards", async ({ page }) => {
  const admin = await seedUser("admin", "phone");
  const [app] = await conn.db.insert(apps).values({ ownerId: admin.id, name: `Adv phone ${tag()}` }).returning();
  const [weather] = await conn.db.select().from(products).where(eq(products.slug, "weather"));
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!app || !weather || !standard) throw new Error("seed");
  await addToCart(conn.db, admin.id, { productId: weather.id, planId: standard.id });
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, admin.email);
  const widths: Record<string, number> = {};
  for (const path of ["/admin/keys", "/admin/users", "/admin/api-keys", "/admin/audit", `/admin/products/${weather.id}`, `/apps/${app.id}`, "/cart", "/apis/payments", "/admin/requests"]) {
    await page.goto(path);
    await hydrated(page);
    widths[path] = await pageOverflow(page);
  }
  await page.goto("/admin/users");
  const cards = page.getByTestId("user-row");
  const outside = await page.evaluate(() =>
    [...document.querySelectorAll("tbody tr")].flatMap((row) => {
      const r = row.getBoundingClientRect();
      return [...row.querySelectorAll("button")].filter((b) => {
        const x = b.getBoundingClientRect();
        return x.width > 0 && (x.right > r.right + 0.5 || x.left < r.left - 0.5);
      }).map((b) => b.getAttribute("aria-label") ?? b.textContent);
    }),
  );
  await page.setViewportSize({ width: 320, height: 700 });
  await page.goto("/cart");
  await expect(page.getByTestId("cart-link")).toHaveAttribute("aria-current", /.+/);
  widths["/cart at 320"] = await pageOverflow(page);
  console.log(`phone overflow: ${JSON.stringify(widths)}; user rows: ${await cards.count()}; menu buttons outside their card: ${JSON.stringify(outside)}`);
  expect(outside).toEqual([]);
  expect(Object.values(widths).every((w) => w <= 0), JSON.stringify(widths)).toBe(true);
  await conn.db.delete(apps).where(eq(apps.id, app.id));
});

test("keyboard: Import keys (now a Button around a link) shows the focus outline and is named as before", async ({ page }) => {
  const admin = await seedUser("admin", "import-focus");
  await signInAs(page, admin.email, "/admin/keys");
  const importKeys = page.getByRole("link", { name: "Import keys", exact: true });
  await expect(importKeys).toHaveAttribute("href", "/admin/keys/import");
  // Tab from the element before it, as a keyboard user arrives.
  await page.getByRole("heading", { level: 1 }).first().click();
  for (let i = 0; i < 40 && !(await importKeys.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(importKeys).toBeFocused();
  const outline = await importKeys.evaluate((el) => ({ style: getComputedStyle(el).outlineStyle, width: getComputedStyle(el).outlineWidth }));
  console.log(`Import keys focused: ${JSON.stringify(outline)}`);
  expect(outline.style).not.toBe("none");
  expect(parseFloat(outline.width)).toBeGreaterThanOrEqual(2);
});

// ───────────────────────── The queue panel's products line (fad2904) ─────────────────────────

// A request across two owners' products: approved by one, then denied by the other. The line's
// per-product words are null for a denied request (lib/requests/part-words.ts), so the line is hidden;
// what one owner approved is still in the panel (the timeline, the approvals line). While pending, the
// line shows both parts.
test("queue panel: a two-owner request shows its parts while pending, and once denied still says who approved what (timeline)", async ({ page }) => {
  const t = tag();
  const [standard] = await conn.db.select().from(plans).where(eq(plans.name, "Standard"));
  if (!standard) throw new Error("seed");
  const owners = await Promise.all(["a", "b"].map((x) => seedUser("owner", `part-${x}`)));
  const made = [];
  for (const [i, o] of owners.entries()) {
    const [p] = await conn.db.insert(products).values({ slug: `adv-part-${i}-${t}`, name: `Adv part ${i} ${t}`, ownerId: o.id, status: "published" }).returning();
    if (!p) throw new Error("product");
    await conn.db.insert(productPlans).values({ productId: p.id, planId: standard.id });
    made.push(p);
  }
  const [a, b] = owners as [(typeof owners)[0], (typeof owners)[0]];
  const requester = await seedUser("consumer", "parts");
  for (const p of made) await addToCart(conn.db, requester.id, { productId: p.id, planId: standard.id });
  const request = await submitRequest(conn.db, { userId: requester.id, baseUrl: BASE_URL }, { newAppName: `Parts ${t}`, reason: "Parts review" }, {});
  await decideRequests(conn.db, { kind: "user", id: a.id, role: "owner", disabled: false }, { requestIds: [request.id], decision: "approve", baseUrl: BASE_URL });
  const admin = await seedUser("admin", "parts");
  await signInAs(page, admin.email, `/admin/requests?status=all&open=${request.id}`);
  const panel = page.getByRole("region", { name: "Request details" });
  await expect(panel.getByTestId("request-parts")).toContainText(`Adv part 0 ${t}: approved by`);
  await expect(panel.getByTestId("request-parts")).toContainText(`Adv part 1 ${t}: waiting for its owner`);
  const pendingText = await panel.innerText();
  await decideRequests(conn.db, { kind: "user", id: b.id, role: "owner", disabled: false }, { requestIds: [request.id], decision: "deny", comment: "Not this one.", baseUrl: BASE_URL });
  await page.reload();
  await expect(panel.getByText("Denied").first()).toBeVisible();
  await expect(panel.getByTestId("request-parts")).toHaveCount(0);
  const deniedText = await panel.innerText();
  console.log(`panel pending:\n${pendingText}\n---\npanel denied:\n${deniedText}`);
  // Who approved the first part is still said somewhere in the panel.
  expect(deniedText).toContain(a.name ?? "");
  for (const p of made) await conn.db.update(products).set({ status: "draft" }).where(eq(products.id, p.id));
});

// fad2904 for a request of one product: pending says it waits; a denied one leaves the line out.
// (Covered by polish.spec.ts; here the pendingRequest helper's request is revoked-free, so no more.)
test("queue panel: a pending one-product request still says where its product stands", async ({ page }) => {
  const r = await pendingRequest(conn, "payments");
  await signInAs(page, "owner@portico.dev", `/admin/requests?open=${r.requestId}`);
  await expect(page.getByRole("region", { name: "Request details" }).getByTestId("request-parts")).toHaveText("Payments API: waiting for its owner");
});
