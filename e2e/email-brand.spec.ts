import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { type Page, expect, test } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { createDb } from "../db/connect";
import { ensureDatabase } from "../db/embedded";
import { migrateDatabase } from "../db/migrate";
import { apps, emailMessages, securitySettings, users } from "../db/schema";
import { seedDemo } from "../db/seed";
import { unseal } from "../lib/mail/sealed";
import { type Instance, sharedEnv, startNext, until } from "./instances";
import { seriousViolations } from "./helpers-products";
import { inBothThemes } from "./helpers-theme";
import { freePort } from "./net";

/**
 * Admin → Branding end to end, on an instance of its OWN: its own database (in the suite's
 * PostgreSQL) and its own copy of the build, so the brand it saves never reaches the shared server,
 * its cached pages, or the screenshot tests running beside it.
 */
test.describe.configure({ mode: "serial" });

let conn: ReturnType<typeof createDb>;
let server: Instance | undefined;
let dir = "";
let dbName = "";
let adminUrl = "";

/** A real PNG (CRCs included, so the browser draws it): `size` px square, one colour. */
function png(size: number) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (table[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, Buffer.from([0x0f, 0x76, 0x6e]))]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const shared = sharedEnv();
  const url = new URL(shared.DATABASE_URL ?? "");
  dbName = `portico_brand_${randomBytes(4).toString("hex")}`;
  url.pathname = "/postgres";
  adminUrl = url.toString();
  await ensureDatabase(adminUrl, dbName);
  url.pathname = `/${dbName}`;
  const ownUrl = url.toString();
  await migrateDatabase(ownUrl);
  conn = createDb(ownUrl, { max: 3 });
  await seedDemo(conn.db);
  await conn.db.insert(securitySettings).values({ id: true, secondFactorPolicy: "no_one" }).onConflictDoUpdate({ target: securitySettings.id, set: { secondFactorPolicy: "no_one" } });

  // A copy of the build: `next start` writes regenerated pages and cache entries into .next.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portico-brand-"));
  for (const entry of fs.readdirSync(".")) {
    if (entry === ".next" || entry === ".data") continue;
    fs.symlinkSync(path.resolve(entry), path.join(dir, entry));
  }
  fs.cpSync(".next", path.join(dir, ".next"), { recursive: true, filter: (src) => !src.startsWith(path.join(".next", "cache")) });

  const port = await freePort();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    server = await startNext("brand", port, { ...shared, DATABASE_URL: ownUrl, AUTH_URL: `http://127.0.0.1:${port}` });
  } finally {
    process.chdir(cwd);
  }
});

test.afterAll(async () => {
  await server?.stop();
  await conn?.sql.end({ timeout: 1 }).catch(() => {});
  if (dbName) {
    const { sql } = createDb(adminUrl, { max: 1 });
    await sql.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await sql.end({ timeout: 1 });
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/signin`);
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  let message: typeof emailMessages.$inferSelect | undefined;
  await until(async () => {
    [message] = await conn.db
      .select()
      .from(emailMessages)
      .where(and(eq(emailMessages.to, email), eq(emailMessages.template, "sign-in"), eq(emailMessages.status, "sent")))
      .orderBy(emailMessages.createdAt);
    return Boolean(message);
  }, 20_000);
  if (!message) throw new Error("no sign-in email");
  const url = await unseal((message.props as Record<string, unknown>).url);
  await page.goto(String(url));
  return message;
}

/** A new admin of this spec's database, signed in in `page`; `tag` keeps the test's other addresses unique. */
async function signInNewAdmin(page: Page, base: string, who: { prefix: string; name: string }) {
  const tag = randomBytes(3).toString("hex");
  const [admin] = await conn.db.insert(users).values({ email: `${who.prefix}-${tag}@example.com`, name: who.name, role: "admin" }).returning();
  if (!admin) throw new Error("admin");
  await signIn(page, base, admin.email);
  return { admin, tag };
}

test("an admin saves a brand: header, footer, title, favicon and the next sign-in email use it", async ({ page, browser }) => {
  test.setTimeout(180_000);
  if (!server) throw new Error("no server");
  const base = server.url;
  const { tag } = await signInNewAdmin(page, base, { prefix: "brand-admin", name: "Brenda Admin" });
  await page.goto(`${base}/admin/branding`);
  await expect(page.getByRole("heading", { level: 1, name: "Branding" })).toBeVisible();
  await inBothThemes(page, async (theme) => expect(await seriousViolations(page), `/admin/branding (${theme})`).toEqual([]));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.scrollWidth), "/admin/branding at 390 px").toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.reload();

  // A colour without AA contrast is refused as it is typed and on save, with its ratio.
  await page.getByLabel("Portal name").fill("Acme APIs");
  await page.getByRole("textbox", { name: "Accent colour", exact: true }).fill("#fbbf24");
  await expect(page.getByText(/1\.66:1 with white/)).toBeVisible();
  await page.getByRole("button", { name: "Save branding" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "1.66:1" })).toBeVisible();
  expect((await conn.sql`select count(*)::int as n from portal_branding`)[0]?.n).toBe(0);

  await page.getByRole("textbox", { name: "Accent colour", exact: true }).fill("#0f766e");
  await expect(page.getByText(/Contrast with white: 5\.\d\d:1/)).toBeVisible();
  const logo = png(48);
  await page.locator('input[type="file"]').setInputFiles({ name: "acme.png", mimeType: "image/png", buffer: logo });
  await expect(page.getByTestId("brand-preview")).toContainText("Acme APIs");
  await page.getByRole("button", { name: "Add a link" }).click();
  await page.getByLabel("Link 1 label").fill("Status");
  await page.getByLabel("Link 1 address").fill("https://status.acme.test");
  await page.getByLabel("Home-page headline").fill("Every Acme API in one place");
  await page.getByRole("button", { name: "Save branding" }).click();
  await expect(page.getByText("Saved. Every page and the next emails now use “Acme APIs”.")).toBeVisible();

  // Every page: the header's mark, the footer, the title and the favicon.
  await page.goto(`${base}/`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Every Acme API in one place");
  await expect(page.getByTestId("brand-mark")).toContainText("Acme APIs");
  await expect(page.getByTestId("brand-mark").locator("img")).toHaveAttribute("src", /^\/brand\/logo\?v=\d+$/);
  await expect(page.getByTestId("footer-brand")).toContainText("Acme APIs");
  await expect(page.getByRole("contentinfo").getByRole("link", { name: "Status" })).toHaveAttribute("href", "https://status.acme.test");
  await expect(page).toHaveTitle(/Acme APIs/);
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  expect(icon).toMatch(/^\/brand\/icon\?v=\d+$/);
  const favicon = await page.request.get(`${base}${icon}`);
  expect(favicon.headers()["content-type"]).toBe("image/png");
  expect(Buffer.from(await favicon.body()).equals(logo)).toBe(true);
  const served = await page.request.get(`${base}/brand/logo`);
  expect(served.headers()["content-security-policy"]).toBe("default-src 'none'; style-src 'unsafe-inline'");
  expect(served.headers()["x-content-type-options"]).toBe("nosniff");
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--brand-accent").trim())).toBe("#0f766e");
  // Primary buttons wear the accent (the catalogue's Search button).
  expect(await page.getByRole("search").getByRole("button", { name: "Search" }).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe("rgb(15, 118, 110)");
  // The email previews an admin reads are branded as the emails are.
  await page.goto(`${base}/admin/settings/emails`);
  const preview = page.frameLocator('iframe[title="Sign-in link preview"]');
  await expect(preview.getByText("Acme APIs").filter({ visible: true }).first()).toBeVisible();

  // The next sign-in email: the portal's name in the subject (never the host), the accent button.
  const context = await browser.newContext();
  const other = await context.newPage();
  const message = await signIn(other, base, `brand-reader-${tag}@example.com`);
  expect(message.subject).toBe("Sign in to Acme APIs");
  const html = String(await unseal(message.html));
  expect(html).toContain("Acme APIs");
  expect(html).toContain("background-color:#0f766e");
  expect(html).toContain(`${base}/brand/logo?v=`);
  expect(String(await unseal(message.text))).toContain("sign in to Acme APIs");
  await context.close();
});

test("the longest name the form accepts keeps the header on one row at 1280 px and no page wider than a phone", async ({ page }) => {
  test.setTimeout(180_000);
  if (!server) throw new Error("no server");
  const base = server.url;
  const { admin } = await signInNewAdmin(page, base, { prefix: "brand-long", name: "Lena Long" });
  const paths = ["/", "/apis/payments", "/requests", "/admin"];
  // The header's height with a short name (the default, or the earlier test's "Acme APIs"): one row.
  await page.setViewportSize({ width: 1280, height: 800 });
  const oneRow = new Map<string, number>();
  for (const path of paths) {
    await page.goto(`${base}${path}`);
    oneRow.set(path, (await page.getByTestId("site-header").boundingBox())?.height ?? 0);
  }
  await page.goto(`${base}/admin/branding`);
  // 40 characters, the form's limit, and no space to wrap at.
  const name = "NorthwindTradersPartnerDeveloperPortal40";
  expect(name).toHaveLength(40);
  await page.getByLabel("Portal name").fill(name);
  await page.getByRole("button", { name: "Save branding" }).click();
  await expect(page.getByText(`Saved. Every page and the next emails now use “${name}”.`)).toBeVisible();

  // Two apps, one with the longest name an app may have: the code snippets' app picker shows it.
  await conn.db.insert(apps).values([
    { ownerId: admin.id, name: "Short app" },
    { ownerId: admin.id, name: `${"Ünïcødé-应用-".repeat(7)}🚀`.slice(0, 80) },
  ]);

  for (const path of paths) {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${base}${path}`);
    await expect(page.getByTestId("brand-mark")).toHaveAttribute("title", name);
    // One row, as tall as with a short name: the brand (cut), search, links, cart, the account menu
    // and theme share it. Before the account became one menu the links went onto two lines inside
    // the bar (81 px against 57; this server also shows the Dev mailbox link), and before the name
    // was cut the theme choice took a row of its own (153 px).
    const header = (await page.getByTestId("site-header").boundingBox())?.height ?? 0;
    expect(header, `${path} header at 1280 px`).toBe(oneRow.get(path));
    // Every control of the bar on one line: their vertical middles agree (to rounding).
    const middles = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="site-header"] :is(a, button)')]
        .filter((el) => el instanceof HTMLElement && el.offsetParent !== null)
        .map((el) => {
          const box = el.getBoundingClientRect();
          return { what: el.textContent?.trim().slice(0, 20), middle: box.top + box.height / 2 };
        }),
    );
    const spread = Math.max(...middles.map((m) => m.middle)) - Math.min(...middles.map((m) => m.middle));
    expect(spread, `${path} at 1280 px: ${JSON.stringify(middles)}`).toBeLessThanOrEqual(2);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    if (path === "/apis/payments") await expect(page.getByTestId("code-snippets").getByLabel("App")).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} at 390 px`).toBeLessThanOrEqual(390);
  }
});
