import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signInAttempts, verificationTokens } from "@/db/schema";
import { isolatedDatabase } from "@/tests/database";
import { purgeSignInLeftovers } from "./purge-sign-in-leftovers";

const t = await isolatedDatabase();
const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);

describe("purgeSignInLeftovers", () => {
  it("deletes expired tokens and slots past the hour window, and keeps the rest", async () => {
    await t.db.insert(verificationTokens).values([
      { identifier: "old@example.com", token: "expired", expires: minutesFromNow(-1) },
      { identifier: "new@example.com", token: "live", expires: minutesFromNow(9) },
    ]);
    await t.db.insert(signInAttempts).values([
      { addressHash: "stale", ip: "203.0.113.1", createdAt: sql`now() - interval '61 minutes'` },
      { addressHash: "counting", ip: "203.0.113.1", createdAt: sql`now() - interval '59 minutes'` },
    ]);
    await purgeSignInLeftovers(t.db);
    expect((await t.db.select().from(verificationTokens)).map((r) => r.token)).toEqual(["live"]);
    expect((await t.db.select().from(signInAttempts)).map((r) => r.addressHash)).toEqual([
      "counting",
    ]);
  });
});
