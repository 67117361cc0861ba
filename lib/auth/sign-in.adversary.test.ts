import { randomBytes } from "node:crypto";
import { like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailMessages } from "@/db/schema";
import { isolatedDatabase } from "@/tests/database";
import { sendSignInLink } from "./send-sign-in-link";

/**
 * Adversarial review of the sign-in limits (issue 12): "at most 1 a minute and 5 an hour per
 * address". The limits key on the exact address string and the exact IP, so one inbox is flooded
 * through sub-address variants, and one IPv6 client rotates through its /64.
 */
const t = await isolatedDatabase();
const settings = { limits: { perAddressMinute: 1, perAddressHour: 5, perIpHour: 20 }, host: "portal.example" };
const send = (address: string, ip: string) =>
  sendSignInLink(t.db, { address, url: "https://portal.example/api/auth/callback/email?token=t", ip }, settings);
const inbox = async (local: string) =>
  (await t.db.select().from(emailMessages).where(like(emailMessages.to, `${local}%@example.com`))).length;

describe("adversary: sign-in link limits per inbox", () => {
  it("sub-address variants of one inbox (victim+N@) share the per-address limit", async () => {
    const victim = `victim${randomBytes(3).toString("hex")}`;
    const ip = "203.0.113.77";
    for (let i = 0; i < 10; i++) await send(`${victim}+${i}@example.com`, ip);
    // All ten land in victim@example.com's mailbox within one minute; the limit is one a minute.
    expect(await inbox(victim)).toBeLessThanOrEqual(1);
  });

  it("one IPv6 client (one /64) cannot multiply the per-IP limit by changing its interface id", async () => {
    const base = `2001:db8:${randomBytes(2).toString("hex")}:1`;
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const to = `spray${randomBytes(4).toString("hex")}@example.com`;
      if ((await send(to, `${base}::${(i + 1).toString(16)}`)) === "sent") sent.push(to);
    }
    expect(sent.length).toBeLessThanOrEqual(settings.limits.perIpHour);
  });
});
