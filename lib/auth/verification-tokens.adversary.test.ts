import type { AuthConfig } from "@auth/core";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { count, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accounts, emailMessages, sessions, signInAttempts, users, verificationTokens } from "@/db/schema";
import { isolatedDatabase } from "@/tests/database";
import { authWithSignInLimits } from "./auth-with-sign-in-limits";
import { emailProvider } from "./email-provider";

/**
 * Adversarial review (issue 12, "nothing anonymous can exhaust memory or disk"): Auth.js writes a
 * verification_tokens row for every sign-in request in parallel with sendVerificationRequest
 * (@auth/core lib/actions/signin/send-token.js: Promise.all([sendRequest, createToken])), so a
 * request the sign-in limits refuse still stores a token, and nothing ever deletes unused ones.
 */
const t = await isolatedDatabase();
// lib/auth/index.ts's configuration, reduced to what a sign-in request touches (next-auth itself
// does not load under Vitest): the Drizzle adapter and the app's own email provider, behind the
// app's own /api/auth route wrapper (authRoute calls authWithSignInLimits the same way).
const limits = { perAddressMinute: 1, perAddressHour: 5, perIpHour: 20 };
const config: AuthConfig = {
  adapter: DrizzleAdapter(t.db, { usersTable: users, accountsTable: accounts, sessionsTable: sessions, verificationTokensTable: verificationTokens }),
  session: { strategy: "database" },
  secret: "portico-test-secret-portico-test-secret",
  basePath: "/api/auth",
  trustHost: true,
  providers: [emailProvider(t.db, { from: "portico@localhost", baseUrl: "http://portal.test", limits, trustedProxies: 0 })],
};
const authRoute = (request: Request) => authWithSignInLimits(request, config, { db: t.db, limits, trustedProxies: 0 });

async function csrf() {
  const res = await authRoute(new Request("http://portal.test/api/auth/csrf"));
  const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

async function askForLink(email: string, c: { cookie: string; csrfToken: string }) {
  return authRoute(
    new Request("http://portal.test/api/auth/signin/email", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: c.cookie },
      body: new URLSearchParams({ email, csrfToken: c.csrfToken, callbackUrl: "/" }).toString(),
    }),
  );
}

describe("adversary: anonymous sign-in requests and stored rows", () => {
  it("sign-in requests over the limit store no verification token (the table cannot be grown without bound)", async () => {
    const c = await csrf();
    const n = 25;
    for (let i = 0; i < n; i++) await askForLink("flood@example.com", c);
    const [attempts] = await t.db.select({ n: count() }).from(signInAttempts);
    const [tokens] = await t.db.select({ n: count() }).from(verificationTokens);
    // One link was allowed (1 a minute per address); every other request was refused by the limits ...
    expect(attempts?.n).toBe(1);
    // ... yet each of the 25 left a token row behind (and expired rows are never cleaned up).
    expect(tokens?.n).toBeLessThanOrEqual(attempts?.n ?? 0);
  });
});

describe("adversary: a direct POST to /api/auth/signin/email skips the form's address check", () => {
  it("an address with CR/LF or a comma in it is refused, never queued as an email's To", async () => {
    const c = await csrf();
    for (const email of ["inject@example.com\r\nx-spoofed: yes", "attacker,inject2@example.com"]) await askForLink(email, c);
    const queued = await t.db.select({ to: emailMessages.to }).from(emailMessages).where(like(emailMessages.to, "%inject%"));
    // Auth.js's default normalizeIdentifier keeps CR/LF inside the domain and commas in the local part.
    expect(queued.map((m) => m.to)).toEqual([]);
  });
});
