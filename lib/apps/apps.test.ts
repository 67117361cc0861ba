import { randomUUID } from "node:crypto";
import { asc, count, eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apps, auditEvents, users } from "@/db/schema";
import type { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { appSchema } from "./app-schema";
import { createApp } from "./create-app";
import { deleteApp } from "./delete-app";
import { getApp } from "./get-app";
import { listApps } from "./list-apps";
import { updateApp } from "./update-app";

const t = await isolatedDatabase();

async function newUser(role: "consumer" | "owner" | "admin" = "consumer") {
  const [user] = await t.db
    .insert(users)
    .values({ email: `${randomUUID()}@example.com`, role })
    .returning({ id: users.id });
  if (!user) throw new Error("no user");
  return user.id;
}

const eventsFor = (subjectId: string) =>
  t.db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(asc(auditEvents.id));
const rowOf = async (id: string) => (await t.db.select().from(apps).where(eq(apps.id, id)))[0];
const countOf = async (table: typeof apps | typeof auditEvents) => (await t.db.select({ n: count() }).from(table))[0]?.n;

/** Everything a refused call must leave untouched. */
async function snapshot(id: string) {
  return { row: await rowOf(id), apps: await countOf(apps), events: await countOf(auditEvents) };
}

const refusedAs = (code: DomainError["code"]) => expect.objectContaining({ name: "DomainError", code });

describe("an owner's apps", () => {
  it("creates, lists newest first, updates and deletes, auditing each change", async () => {
    const owner = await newUser();
    const first = await createApp(t.db, owner, { name: "  Billing sync  ", description: " Nightly export. " });
    expect(first).toMatchObject({ ownerId: owner, name: "Billing sync", description: "Nightly export.", deletedAt: null });
    const second = await createApp(t.db, owner, { name: "Billing import" });
    expect(second.description).toBe("");

    expect((await listApps(t.db, owner)).map((a) => a.id)).toEqual([second.id, first.id]);
    expect(await getApp(t.db, owner, first.id)).toEqual(first);

    const updated = await updateApp(t.db, owner, first.id, { name: "Billing export", description: "Nightly export." });
    expect(updated).toMatchObject({ id: first.id, name: "Billing export", description: "Nightly export." });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    // Saving without a change writes nothing.
    await updateApp(t.db, owner, first.id, { name: "Billing export ", description: "Nightly export." });

    await deleteApp(t.db, owner, first.id);
    expect((await rowOf(first.id))?.deletedAt).toBeInstanceOf(Date);

    const events = await eventsFor(first.id);
    expect(events.map((e) => [e.action, e.subjectType, e.actorId, e.actorType])).toEqual([
      ["app.created", "app", owner, "user"],
      ["app.updated", "app", owner, "user"],
      ["app.deleted", "app", owner, "user"],
    ]);
    expect(events[1]?.data).toEqual({ changed: ["name"], from: { name: "Billing sync" }, to: { name: "Billing export" } });
    expect(events[2]?.data).toEqual({ name: "Billing export" });
  });

  it("lets any role own apps", async () => {
    for (const role of ["owner", "admin"] as const) {
      const id = await newUser(role);
      const app = await createApp(t.db, id, { name: `${role}'s app` });
      expect((await listApps(t.db, id)).map((a) => a.id)).toEqual([app.id]);
    }
  });
});

describe("app names", () => {
  it("are unique among an owner's live apps, ignoring case; a deleted app's name is free again", async () => {
    const owner = await newUser();
    const other = await newUser();
    const first = await createApp(t.db, owner, { name: "Checkout" });
    const before = await countOf(apps);
    await expect(createApp(t.db, owner, { name: "checkout " })).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { name: "You already have an app called “checkout”. Choose another name, or use that app." },
    });
    const second = await createApp(t.db, owner, { name: "Billing" });
    await expect(updateApp(t.db, owner, second.id, { name: "CHECKOUT" })).rejects.toMatchObject({ code: "conflict" });
    expect(await countOf(apps)).toBe((before ?? 0) + 1);
    // Another owner may use the name; renaming an app to itself (in other case) is fine.
    await createApp(t.db, other, { name: "Checkout" });
    await updateApp(t.db, owner, first.id, { name: "CheckOut" });
    await deleteApp(t.db, owner, first.id);
    await createApp(t.db, owner, { name: "Checkout" });
  });

  it("10 concurrent creates of one name: one app", async () => {
    const owner = await newUser();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => createApp(t.db, owner, { name: "Race" })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await listApps(t.db, owner)).map((a) => a.name)).toEqual(["Race"]);
  });
});

describe("another user's app", () => {
  it("cannot be seen, updated or deleted, and nothing is written", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const app = await createApp(t.db, alice, { name: "Alice's app", description: "private" });
    const before = await snapshot(app.id);

    expect(await getApp(t.db, bob, app.id)).toBeNull();
    expect(await listApps(t.db, bob)).toEqual([]);
    await expect(updateApp(t.db, bob, app.id, { name: "pwned" })).rejects.toEqual(refusedAs("not_found"));
    await expect(deleteApp(t.db, bob, app.id)).rejects.toEqual(refusedAs("not_found"));

    expect(await snapshot(app.id)).toEqual(before);
    expect(await getApp(t.db, alice, app.id)).toEqual(app);
  });

  it("is indistinguishable from an id that does not exist", async () => {
    const bob = await newUser();
    const before = { apps: await countOf(apps), events: await countOf(auditEvents) };
    for (const id of [randomUUID(), "not-a-uuid", ""]) {
      expect(await getApp(t.db, bob, id)).toBeNull();
      await expect(updateApp(t.db, bob, id, { name: "x" })).rejects.toEqual(refusedAs("not_found"));
      await expect(deleteApp(t.db, bob, id)).rejects.toEqual(refusedAs("not_found"));
    }
    expect({ apps: await countOf(apps), events: await countOf(auditEvents) }).toEqual(before);
  });
});

describe("a deleted app", () => {
  it("vanishes from list and get, and cannot be updated or deleted again", async () => {
    const owner = await newUser();
    const kept = await createApp(t.db, owner, { name: "Kept" });
    const gone = await createApp(t.db, owner, { name: "Gone" });
    await deleteApp(t.db, owner, gone.id);
    const before = await snapshot(gone.id);

    expect((await listApps(t.db, owner)).map((a) => a.id)).toEqual([kept.id]);
    expect(await getApp(t.db, owner, gone.id)).toBeNull();
    await expect(updateApp(t.db, owner, gone.id, { name: "Back" })).rejects.toEqual(refusedAs("not_found"));
    await expect(deleteApp(t.db, owner, gone.id)).rejects.toEqual(refusedAs("not_found"));
    expect(await snapshot(gone.id)).toEqual(before);
  });

  it("is deleted exactly once when two deletes race", async () => {
    const owner = await newUser();
    const app = await createApp(t.db, owner, { name: "Raced" });
    const results = await Promise.allSettled([deleteApp(t.db, owner, app.id), deleteApp(t.db, owner, app.id)]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((await eventsFor(app.id)).filter((e) => e.action === "app.deleted")).toHaveLength(1);
  });
});

describe("bad input", () => {
  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 120 }),
    fc.string({ unit: "grapheme", maxLength: 120 }),
    fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\u00a0", "\u2028", "\u0000", "a", "é", "😀"), maxLength: 100 }),
    fc.constant("x".repeat(10_000)),
    fc.constant(" ".repeat(10_000)),
  );
  const anyValue = fc.oneof(text, fc.anything());

  it("either refuses the input or yields a trimmed name of 1–80 characters", () => {
    fc.assert(
      fc.property(anyValue, anyValue, (name, description) => {
        const parsed = appSchema.safeParse({ name, description });
        if (!parsed.success) return;
        const out = parsed.data;
        expect(out.name.length).toBeGreaterThanOrEqual(1);
        expect(out.name.length).toBeLessThanOrEqual(80);
        expect(out.name).toBe(out.name.trim());
        expect(out.name).not.toMatch(/\p{Cc}/u);
        expect(out.name.isWellFormed()).toBe(true);
        expect(out.description.length).toBeLessThanOrEqual(1000);
        expect(out.description).toBe(out.description.trim());
        expect(typeof name).toBe("string");
      }),
      { numRuns: 2000 },
    );
  });

  it("stores exactly what the schema accepted, and never answers with a database error", async () => {
    await fc.assert(
      fc.asyncProperty(text, async (name) => {
        const owner = await newUser(); // names are unique per owner; each run starts with none
        const accepted = appSchema.safeParse({ name }).success;
        const result = createApp(t.db, owner, { name });
        if (accepted) expect((await result).name).toBe(name.trim());
        else await expect(result).rejects.toEqual(refusedAs("invalid"));
      }),
      { numRuns: 60 },
    );
  });

  it("refuses a 10,000-character name with the field's message, writing nothing", async () => {
    const owner = await newUser();
    const before = { apps: await countOf(apps), events: await countOf(auditEvents) };
    const refusal = createApp(t.db, owner, { name: "x".repeat(10_000) });
    await expect(refusal).rejects.toEqual(refusedAs("invalid"));
    await expect(refusal).rejects.toMatchObject({ fieldErrors: { name: "Keep the name under 80 characters." } });
    await expect(createApp(t.db, owner, { name: "   " })).rejects.toMatchObject({
      fieldErrors: { name: "Give your app a name." },
    });
    await expect(createApp(t.db, owner, { name: "a\u0000b" })).rejects.toEqual(refusedAs("invalid"));
    await expect(createApp(t.db, owner, { name: "ok", description: "d".repeat(1001) })).rejects.toMatchObject({
      fieldErrors: { description: "Keep the description under 1000 characters." },
    });
    expect({ apps: await countOf(apps), events: await countOf(auditEvents) }).toEqual(before);
  });

  it("keeps line breaks in a description", () => {
    expect(appSchema.parse({ name: "n", description: "line one\nline two" }).description).toBe("line one\nline two");
  });
});
