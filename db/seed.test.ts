import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "@/tests/database";
import { seedDemo } from "./seed";

const t = await isolatedDatabase();

describe("seedDemo", () => {
  it("seeds the demo catalogue once, even when two starts race", async () => {
    const results = await Promise.all([seedDemo(t.db), seedDemo(t.db)]);
    expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);

    const [stats] = await t.sql`
      select
        (select count(*)::int from products where status = 'published') as published,
        (select count(distinct tag)::int from products, unnest(tags) tag) as tags,
        (select count(distinct auth_method)::int from products) as auth_methods,
        (select count(*)::int from plans) as plans,
        (select count(*)::int from plans where auto_approve) as auto_plans,
        (select count(*)::int from plans where approvals_required = 2) as two_approver_plans,
        (select array_agg(role::text order by role) from users) as roles`;
    expect(stats?.published).toBeGreaterThanOrEqual(8);
    expect(stats?.tags).toBeGreaterThanOrEqual(3);
    expect(stats?.auth_methods).toBe(2);
    expect(stats?.plans).toBeGreaterThanOrEqual(3);
    expect(stats?.auto_plans).toBeGreaterThanOrEqual(1);
    expect(stats?.two_approver_plans).toBeGreaterThanOrEqual(1);
    expect(stats?.roles).toEqual(["consumer", "owner", "admin"]);
  });

  it("never seeds over existing products", async () => {
    const before = await t.db.execute(sql`select count(*)::int as n from products`);
    expect((await seedDemo(t.db)).seeded).toBe(false);
    const after = await t.db.execute(sql`select count(*)::int as n from products`);
    expect(after[0]).toEqual(before[0]);
  });
});
