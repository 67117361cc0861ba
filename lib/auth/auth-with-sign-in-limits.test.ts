import { randomBytes } from "node:crypto";
import type { AuthConfig } from "@auth/core";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { count, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accounts, emailMessages, sessions, users, verificationTokens } from "@/db/schema";
import { isolatedDatabase } from "@/tests/database";
import { withoutWrites } from "@/tests/table-snapshot";
import { authWithSignInLimits } from "./auth-with-sign-in-limits";
import { emailProvider } from "./email-provider";

// The app's /api/auth handling (lib/auth/index.ts authRoute) through Auth.js core, on a real database.
const t = await isolatedDatabase();
const limits = { perAddressMinute: 1, perAddressHour: 5, perIpHour: 20 };
const config: AuthConfig = {
  adapter: DrizzleAdapter(t.db, {
    usersTable: users,
    accountsTable: accounts,
    sessionsTable: sessions,
    verificationTokensTable: verificationTokens,
  }),
  session: { strategy: "database" },
  secret: "portico-test-secret-portico-test-secret",
  basePath: "/api/auth",
  trustHost: true,
  providers: [
    emailProvider(t.db, {
      from: "portico@localhost",
      baseUrl: "http://portal.test",
      limits,
      trustedProxies: 0,
    }),
  ],
};
const route = (request: Request) =>
  authWithSignInLimits(request, config, { db: t.db, limits, trustedProxies: 0 });

type Session = { cookie: string; csrfToken: string };
async function csrf(): Promise<Session> {
  const res = await route(new Request("http://portal.test/api/auth/csrf"));
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

function askForLink(
  email: string,
  s: Session,
  options: { json?: boolean; csrfToken?: string | null } = {},
) {
  const fields = { email, callbackUrl: "/", csrfToken: options.csrfToken ?? s.csrfToken };
  if (options.csrfToken === null) fields.csrfToken = "";
  return route(
    new Request("http://portal.test/api/auth/signin/email", {
      method: "POST",
      headers: {
        "content-type": options.json ? "application/json" : "application/x-www-form-urlencoded",
        cookie: s.cookie,
      },
      body: options.json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
    }),
  );
}

/** What a client can tell from an answer: status, where it goes, and which cookies it sets. */
const visible = (res: Response) => ({
  status: res.status,
  location: res.headers.get("location"),
  cookies: res.headers
    .getSetCookie()
    .map((c) => c.split("=")[0])
    .sort(),
});

const inbox = () => `limited-${randomBytes(4).toString("hex")}`;
const tokensFor = async (local: string) =>
  (
    await t.db
      .select({ n: count() })
      .from(verificationTokens)
      .where(like(verificationTokens.identifier, `${local}%`))
  )[0]?.n;
const mailsFor = async (local: string) =>
  (
    await t.db
      .select({ n: count() })
      .from(emailMessages)
      .where(like(emailMessages.to, `${local}%`))
  )[0]?.n;

describe("authWithSignInLimits", () => {
  it("answers a request over the limits exactly as one that sent a link, and stores no token for it", async () => {
    const local = inbox();
    const s = await csrf();
    const sent = visible(await askForLink(`${local}@example.com`, s));
    expect(sent.location).toBe(
      "http://portal.test/api/auth/verify-request?provider=email&type=email",
    );
    for (const variant of [
      `${local}@example.com`,
      `${local}+again@example.com`,
      ` ${local.toUpperCase()}@Example.com`,
    ])
      expect(visible(await askForLink(variant, s))).toEqual(sent);
    expect(visible(await askForLink(`${local}@example.com`, s, { json: true }))).toEqual(sent);
    expect(await tokensFor(local)).toBe(1);
    expect(await mailsFor(local)).toBe(1);
  });

  it("keeps Auth.js's CSRF check for a request over the limits (the answer does not tell the limit)", async () => {
    const limited = inbox();
    const s = await csrf();
    await askForLink(`${limited}@example.com`, s);
    const refused = visible(await askForLink(`${limited}@example.com`, s, { csrfToken: null }));
    const fresh = visible(await askForLink(`${inbox()}@example.com`, s, { csrfToken: null }));
    expect(refused.location).toContain("error=MissingCSRF");
    expect(refused).toEqual(fresh);
    expect(await tokensFor(limited)).toBe(1);
  });

  it("refuses an address the sign-in form would refuse with Auth.js's error page, writing nothing", async () => {
    const s = await csrf();
    for (const email of [
      "inject@example.com\r\nbcc: x@evil.test",
      "attacker,victim@example.com",
      '"attacker@evil.test"@example.com',
      "a@b@example.com",
      "attacker@evil.test＠example.com",
      "",
    ]) {
      const res = (await withoutWrites(t.sql, () => askForLink(email, s))) as Response;
      expect(res.status, JSON.stringify(email)).toBe(302);
      expect(res.headers.get("location")).toBe(
        "http://portal.test/api/auth/error?error=Configuration",
      );
    }
  });
});
