import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailMessages, users } from "@/db/schema";
import { isolatedDatabase } from "@/tests/database";
import { withoutWrites } from "@/tests/table-snapshot";
import { sendSignInLink } from "./send-sign-in-link";

const t = await isolatedDatabase();
const defaults = { perAddressMinute: 1, perAddressHour: 5, perIpHour: 20 };
const settings = (limits: Partial<typeof defaults> = {}) => ({
  limits: { ...defaults, ...limits },
  host: "portal.example",
});
const address = () => `limit-${randomBytes(4).toString("hex")}@example.com`;
const ip = () => `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
const send = (to: string, from: string | null, limits?: Partial<typeof defaults>) =>
  sendSignInLink(
    t.db,
    { address: to, url: "https://portal.example/api/auth/callback/email?token=t", ip: from },
    settings(limits),
  );
const mailTo = async (to: string) =>
  (await t.db.select().from(emailMessages).where(eq(emailMessages.to, to))).length;
/** Moves an address's or IP's slots back in time, as if they had been taken `seconds` ago. */
const age = (seconds: number) =>
  t.db.execute(
    sql`update sign_in_attempts set created_at = created_at - make_interval(secs => ${seconds})`,
  );

describe("sendSignInLink", () => {
  it("sends one link a minute and five an hour per address, and nothing beyond", async () => {
    const to = address();
    expect(await send(to, ip())).toBe("sent");
    expect(await send(to, ip())).toBe("limited");
    expect(await mailTo(to)).toBe(1);
    for (let i = 0; i < 4; i++) {
      await age(61);
      expect(await send(to, ip())).toBe("sent");
    }
    await age(61);
    expect(await send(to, ip())).toBe("limited");
    expect(await mailTo(to)).toBe(5);
    // The oldest slot leaves the hour window: one more.
    await age(3600 - 5 * 61 + 1);
    expect(await send(to, ip())).toBe("sent");
  });

  it("limits each client IP across addresses", async () => {
    const from = "203.0.113.200";
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await send(address(), from, { perIpHour: 3 }));
    expect(results).toEqual(["sent", "sent", "sent", "limited"]);
    // Another IP is not affected.
    expect(await send(address(), "203.0.113.201", { perIpHour: 3 })).toBe("sent");
  });

  it("answers known, unknown and disabled addresses alike and sends nothing to a disabled account", async () => {
    const known = address();
    const disabled = address();
    await t.db
      .insert(users)
      .values([{ email: known }, { email: disabled, disabledAt: new Date() }]);
    expect(await send(known, ip())).toBe("sent");
    expect(await send(address(), ip())).toBe("sent");
    // The caller shows the same page for "disabled" as for "sent"; the slot is taken all the same.
    expect(await send(disabled, ip())).toBe("disabled");
    expect(await send(disabled, ip())).toBe("limited");
    expect(await mailTo(disabled)).toBe(0);
  });

  it("sends nothing to an API access key's service user (it never signs in)", async () => {
    const service = `api-key-${crypto.randomUUID()}@api-keys.invalid`;
    await t.db.insert(users).values({ email: service, kind: "service" });
    expect(await send(service, ip())).toBe("disabled");
    expect(await mailTo(service)).toBe(0);
  });

  it("lets exactly one of many parallel requests take an address's last slot", async () => {
    const to = address();
    const results = await Promise.all(Array.from({ length: 12 }, () => send(to, ip())));
    expect(results.filter((r) => r === "sent")).toHaveLength(1);
    expect(await mailTo(to)).toBe(1);
  });

  it("lets no more than the IP limit through in parallel", async () => {
    const from = "203.0.113.250";
    const results = await Promise.all(
      Array.from({ length: 12 }, () => send(address(), from, { perIpHour: 4 })),
    );
    expect(results.filter((r) => r === "sent")).toHaveLength(4);
  });

  it("forgets slots older than an hour", async () => {
    await age(7200);
    await send(address(), ip());
    const [row] = await t.db.execute<{ stale: number }>(
      sql`select count(*)::int as stale from sign_in_attempts where created_at < now() - interval '1 hour'`,
    );
    expect(Number(row?.stale)).toBe(0);
  });

  it("the email's useful life ends when its link does (the token's expiry), not ten minutes after the email was queued", async () => {
    const to = address();
    // Auth.js dates the token when the request comes in; the email is queued later (a slow slot, a busy database)
    const expires = new Date(Date.now() + 10 * 60_000 - 45_000);
    expect(
      await sendSignInLink(t.db, { address: to, url: "https://portal.example/api/auth/callback/email?token=t", ip: ip(), expires }, settings()),
    ).toBe("sent");
    const [mail] = await t.db.select().from(emailMessages).where(eq(emailMessages.to, to));
    expect(mail?.usefulUntil?.getTime()).toBe(expires.getTime());
  });

  it("refuses an address that could split or extend an email's To, writing nothing", async () => {
    for (const to of ["inject@example.com\r\nbcc: x@evil.test", "attacker,victim@example.com"]) {
      expect(await withoutWrites(t.sql, () => send(to, ip()))).toBe(
        "InvalidEmailAddress: Invalid email address for a sign-in link.",
      );
    }
  });
});
