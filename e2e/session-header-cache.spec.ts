import { randomBytes } from "node:crypto";
import { expect, request as playwrightRequest, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { products, users } from "../db/schema";
import { signedInUser } from "./actors";
import { e2eDb } from "./db";

const conn = e2eDb();
test.afterAll(async () => {
  await conn.sql.end();
});

// The catalogue pages were statically cached and so ran with a relaxed script policy ('unsafe-inline',
// no nonce: "they hold no session or secret"). Since the header is rendered on the server with the
// session (issue 18), those same pages carry who is signed in: they must be neither cached for
// anyone else nor run under the relaxed policy.
const CATALOGUE = ["/", "/apis", "/apis/payments"];

/** A published product nobody has visited yet: its page's first render is the signed-in one. */
async function freshProduct() {
  const tag = randomBytes(4).toString("hex");
  const [owner] = await conn.db.select().from(users).where(eq(users.email, "owner@portico.dev"));
  if (!owner) throw new Error("seed data missing");
  const slug = `hdr-cache-${tag}`;
  await conn.db.insert(products).values({ slug, name: `Header Cache ${tag}`, summary: "Cache probe.", ownerId: owner.id, status: "published" });
  return `/apis/${slug}`;
}

test("catalogue pages rendered with the session are never cached for others and run under the nonce policy", async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const email = `hdr-${randomBytes(4).toString("hex")}@example.test`;
  const me = await signedInUser(conn, browser, "consumer", email);
  const name = email.split("@")[0] as string; // what the header shows (signedInUser names the account so)
  const signedIn = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { cookie: me.cookie } });
  const signedOut = await playwrightRequest.newContext({ baseURL });
  try {
    for (const path of [...CATALOGUE, await freshProduct()]) {
      const mine = await signedIn.get(path);
      expect(mine.status(), path).toBe(200);
      const html = await mine.text();
      expect(html, `${path}: the header names who is signed in`).toContain(name);
      const cache = mine.headers()["cache-control"] ?? "";
      expect(cache, `${path}: Cache-Control signed in`).not.toMatch(/public|s-maxage/);
      expect(cache, `${path}: Cache-Control signed in`).toMatch(/private|no-store/);
      const csp = mine.headers()["content-security-policy"] ?? "";
      expect(csp, `${path}: script policy of a page with the session`).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(csp, `${path}: script policy of a page with the session`).not.toContain("'unsafe-inline' ");
      expect(/script-src[^;]*'unsafe-inline'/.test(csp), `${path}: no 'unsafe-inline' scripts`).toBe(false);

      // Straight after, the signed-out visitor gets a page without that person in it.
      const theirs = await signedOut.get(path);
      expect(theirs.status(), path).toBe(200);
      expect(await theirs.text(), `${path}: signed out`).not.toContain(name);
      expect(theirs.headers()["cache-control"] ?? "", `${path}: Cache-Control signed out`).not.toMatch(/public|s-maxage/);
    }
  } finally {
    await signedIn.dispose();
    await signedOut.dispose();
  }
});
