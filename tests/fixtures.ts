import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { apps, plans, productPlans, products, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import type { Actor } from "@/lib/auth/permissions";

/** Demo catalogue plus helpers to look things up and make users and apps for a test. */
export async function catalogueFixture(db: Database) {
  await seedDemo(db);
  const productRows = await db.select().from(products);
  const planRows = await db.select().from(plans);
  const product = (slug: string) => {
    const p = productRows.find((r) => r.slug === slug);
    if (!p) throw new Error(`no product ${slug}`);
    return p;
  };
  const plan = (name: string) => {
    const p = planRows.find((r) => r.name === name);
    if (!p) throw new Error(`no plan ${name}`);
    return p;
  };
  const user = async (role: "consumer" | "owner" | "admin" = "consumer") => {
    const tag = randomBytes(4).toString("hex");
    const [row] = await db
      .insert(users)
      .values({ email: `${role}-${tag}@example.com`, name: `${role} ${tag}`, role })
      .returning();
    if (!row) throw new Error("user insert");
    return row;
  };
  const app = async (ownerId: string, name = "Test app") => {
    const [row] = await db.insert(apps).values({ ownerId, name }).returning();
    if (!row) throw new Error("app insert");
    return row;
  };
  const owner = async () => {
    const [row] = await db.select().from(users).where(eq(users.email, "owner@portico.dev"));
    if (!row) throw new Error("no owner");
    return row;
  };
  /** A published product of `ownerId`'s, offering the Standard plan. */
  const newProduct = async (slug: string, name: string, ownerId: string) => {
    const [row] = await db.insert(products).values({ slug, name, ownerId, status: "published" }).returning();
    if (!row) throw new Error("product insert");
    await db.insert(productPlans).values({ productId: row.id, planId: plan("Standard").id });
    return row;
  };
  return { product, plan, user, app, owner, newProduct };
}

/** An API key's actor, created by `creatorId`, with these grants (lib/auth/permissions.ts: Actor). */
export function apiKeyActor(creatorId: string, grants: Extract<Actor, { kind: "apiKey" }>["grants"]): Actor {
  return { kind: "apiKey", id: creatorId, keyId: "k", createdById: creatorId, name: "Automation", grants, role: "admin", disabled: false };
}

/** A fixture value that must be there: the value, or a failure naming what is missing. */
export function must<T>(value: T | undefined | null, what = "fixture value"): T {
  if (value === undefined || value === null) throw new Error(`missing ${what}`);
  return value;
}
