import { randomBytes } from "node:crypto";
import { type Page, expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { products, users } from "../db/schema";
import { e2eDb } from "./db";
import { PARCELS_OPENAPI, referenceOperation } from "./helpers-products";
import { signInAs, signInByLink } from "./helpers";

const conn = e2eDb();
test.afterAll(async () => {
  await conn.sql.end();
});

function expectSecurityHeaders(headers: Record<string, string>, where: string) {
  const csp = headers["content-security-policy"] ?? "";
  expect(csp, `${where}: CSP`).toContain("frame-ancestors 'none'");
  expect(csp, `${where}: CSP`).not.toContain("unsafe-eval");
  expect(headers["x-content-type-options"], `${where}: nosniff`).toBe("nosniff");
  expect(headers["referrer-policy"], `${where}: Referrer-Policy`).toBeTruthy();
  // The e2e server runs on http: HSTS would only lock a plain-http host out.
  expect(headers["strict-transport-security"], `${where}: no HSTS on http`).toBeUndefined();
}

test("every kind of response carries the security headers", async ({ page, request }) => {
  // A catalogue page: it carries the signed-in header (rendered per request), so the nonce policy too.
  const catalogue = await request.get("/apis");
  expect(catalogue.status()).toBe(200);
  expectSecurityHeaders(catalogue.headers(), "/apis");
  expect(catalogue.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(catalogue.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");

  // The claim page: strict nonce policy, and the token never leaves in a Referer.
  const claim = await request.get(`/claim/${randomBytes(32).toString("base64url")}`, { maxRedirects: 0 });
  expectSecurityHeaders(claim.headers(), "/claim");
  expect(claim.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(claim.headers()["referrer-policy"]).toBe("no-referrer");

  // API routes, including verify (which the proxy skips).
  for (const path of ["/api/session", "/api/v1/keys/verify"]) {
    const api = await request.get(path);
    expectSecurityHeaders(api.headers(), path);
    expect(api.headers()["content-security-policy"]).toContain("default-src 'none'");
  }

  // An admin page, signed in: a fresh nonce per response, and the page's scripts carry it.
  await signInAs(page, "admin@portico.dev");
  const first = await page.goto("/admin/requests");
  const second = await page.goto("/admin/requests");
  const a: Record<string, string> = first?.headers() ?? {};
  const b: Record<string, string> = second?.headers() ?? {};
  expectSecurityHeaders(a, "/admin/requests");
  const nonceOf = (h: Record<string, string>) => /'nonce-([^']+)'/.exec(h["content-security-policy"] ?? "")?.[1];
  expect(nonceOf(a)).toBeTruthy();
  expect(nonceOf(a)).not.toBe(nonceOf(b));
  // Every script the server wrote into the page carries this response's nonce.
  const html = (await second?.text()) ?? "";
  const tags = html.match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(0);
  for (const tag of tags) expect(/\bnonce="([^"]+)"/.exec(tag)?.[1], tag).toBe(nonceOf(b));
  // In the live page, a script without it can only be a chunk of our own that the nonced runtime
  // loaded later ('strict-dynamic' trusts it); never an inline script or another origin's.
  const scripts = await page
    .locator("script")
    .evaluateAll((els) => els.map((e) => ({ nonce: (e as HTMLScriptElement).nonce, src: (e as HTMLScriptElement).src, html: e.outerHTML.slice(0, 120) })));
  expect(scripts.length).toBeGreaterThan(0);
  const origin = new URL(page.url()).origin;
  for (const s of scripts) {
    if (s.nonce === nonceOf(b)) continue;
    expect(s.src.startsWith(`${origin}/_next/static/`), `a script without the nonce: ${s.src || s.html}`).toBe(true);
  }
});

/** Records CSP violations and console errors that name the policy, in every frame. */
async function watchCsp(page: Page) {
  const violations: string[] = [];
  await page.exposeFunction("__reportCsp", (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI} on ${location.pathname}`);
    });
  });
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

test("the main pages run under the CSP without a single violation", async ({ page }) => {
  test.setTimeout(120_000);
  // A published product with an OpenAPI document, so the interactive API reference loads too.
  const tag = randomBytes(4).toString("hex");
  const slug = `csp-parcels-${tag}`;
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("seed data missing");
  await conn.db.insert(products).values({ slug, name: `CSP Parcels ${tag}`, summary: "Parcels.", ownerId: owner.id, openapi: PARCELS_OPENAPI, status: "published" });

  const violations = await watchCsp(page);
  const visit = async (path: string, ready: () => Promise<void>) => {
    await page.goto(path);
    await ready();
    // Hydration finished: a client component (the account menu) rendered.
    await expect(page.getByRole("banner").getByRole("link").first()).toBeVisible();
  };

  await visit("/", () => expect(page.getByRole("heading", { level: 1 })).toBeVisible());
  await visit("/apis", () => expect(page.getByRole("heading", { name: "API catalogue" })).toBeVisible());
  await visit("/apis?q=pay", () => expect(page.getByText(/matching “pay”/)).toBeVisible());
  await visit(`/apis/${slug}`, async () => void (await referenceOperation(page, "Track a parcel")));
  await visit("/signin", () => expect(page.getByLabel("Email address")).toBeVisible());
  await visit("/cart", () => expect(page.getByRole("heading", { level: 1 })).toBeVisible());

  // By the emailed link: the submit, "Check your email" and the callback are watched too.
  await signInByLink(page, "admin@portico.dev");
  await visit("/admin/requests", () => expect(page.getByRole("heading", { level: 1 })).toBeVisible());
  await visit("/admin/settings/emails", () => expect(page.getByRole("heading", { name: "Email subjects" })).toBeVisible());
  await visit(`/claim/${randomBytes(32).toString("base64url")}`, () => expect(page.getByRole("heading", { level: 1 })).toBeVisible());
  // Client-side JavaScript works under the nonce policy: the signed-in account menu hydrated.
  await expect(page.getByTestId("signed-in-as")).toBeVisible();

  expect(violations).toEqual([]);
});
