import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { plans, products, userPreferences } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { queueChoices } from "./queue-choices";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const ownerRow = await f.owner();
const owner = userActor(ownerRow);
// Weather belongs to another owner: it is never among the first owner's choices.
const otherOwner = userActor(await f.user("owner"));
await t.db.update(products).set({ ownerId: otherOwner.id }).where(eq(products.id, f.product("weather").id));
const admin = userActor(await f.user("admin"));

const byName = (rows: { name: string }[]) => rows.map((r) => r.name);

describe("the queue's filter choices", () => {
  it("lists every plan, the viewer's products (an admin: all), by name, and the saved columns", async () => {
    const allPlans = await t.db.select({ id: plans.id, name: plans.name }).from(plans).orderBy(plans.name);
    const allProducts = await t.db.select({ id: products.id, name: products.name, ownerId: products.ownerId }).from(products).orderBy(products.name);
    expect(allProducts.length).toBeGreaterThan(1);

    const mine = await queueChoices(t.db, owner);
    expect(mine.plans).toEqual(allPlans);
    expect(mine.products).toEqual(allProducts.filter((p) => p.ownerId === owner.id).map(({ id, name }) => ({ id, name })));
    expect(byName(mine.products)).not.toContain(f.product("weather").name);
    expect(mine.preferences).toEqual({});

    const theirs = await queueChoices(t.db, otherOwner);
    expect(theirs.products).toEqual([{ id: f.product("weather").id, name: f.product("weather").name }]);

    expect((await queueChoices(t.db, admin)).products).toEqual(allProducts.map(({ id, name }) => ({ id, name })));

    await t.db.insert(userPreferences).values({ userId: owner.id, preferences: { queueHiddenColumns: ["reason", "plan"] } });
    expect((await queueChoices(t.db, owner)).preferences).toEqual({ queueHiddenColumns: ["reason", "plan"] });
    expect((await queueChoices(t.db, admin)).preferences).toEqual({});
  });

  it("gives empty lists, not nulls, to an owner of nothing", async () => {
    const choices = await queueChoices(t.db, userActor(await f.user("owner")));
    expect(choices.products).toEqual([]);
    expect(choices.preferences).toEqual({});
  });

  it("lists no products for a consumer or a disabled owner", async () => {
    expect((await queueChoices(t.db, userActor(await f.user()))).products).toEqual([]);
    expect((await queueChoices(t.db, userActor({ ...ownerRow, disabledAt: new Date() }))).products).toEqual([]);
  });
});
