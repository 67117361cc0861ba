import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { isolatedDatabase } from "@/tests/database";
import { USERS_PAGE, listUsers } from "./user-admin";

const t = await isolatedDatabase();
const tag = randomBytes(4).toString("hex");
// 70 people made in the same microsecond, so the pages can only stay apart by the id tie-break.
const at = new Date("2026-01-01T10:00:00.123Z");
const made = await t.db
  .insert(users)
  .values(
    Array.from({ length: 70 }, (_, i) => ({
      email: `list-${tag}-${i}@example.com`,
      name: `List ${tag} ${i}`,
      role: i % 7 === 0 ? ("owner" as const) : ("consumer" as const),
      disabledAt: i % 5 === 0 ? new Date() : null,
      createdAt: at,
    })),
  )
  .returning();

describe("the users list", () => {
  it("pages by cursor: every person once, none skipped, with ties on created_at", async () => {
    const first = await listUsers(t.db, { q: tag });
    expect(first.rows).toHaveLength(USERS_PAGE);
    expect(first.nextCursor).toBeDefined();
    const second = await listUsers(t.db, { q: tag, after: first.nextCursor });
    expect(second.rows).toHaveLength(70 - USERS_PAGE);
    expect(second.nextCursor).toBeUndefined();
    const seen = [...first.rows, ...second.rows].map((r) => r.id);
    expect(new Set(seen).size).toBe(70);
    expect([...seen].sort()).toEqual(made.map((u) => u.id).sort());
    expect(first.previousCursor).toBeUndefined();

    // Back from the second page: the first page again, in the same order, with nothing newer.
    const back = await listUsers(t.db, { q: tag, before: second.previousCursor });
    expect(back.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    expect(back.previousCursor).toBeUndefined();
    expect(back.nextCursor).toBe(first.nextCursor);
  });

  it("filters by role and by status, together with the search", async () => {
    const owners = await listUsers(t.db, { q: tag, role: "owner" });
    expect(owners.rows.map((r) => r.id).sort()).toEqual(made.filter((u) => u.role === "owner").map((u) => u.id).sort());
    const disabled = await listUsers(t.db, { q: tag, status: "disabled" });
    expect(disabled.rows.map((r) => r.id).sort()).toEqual(made.filter((u) => u.disabledAt).map((u) => u.id).sort());
    const activeOwners = await listUsers(t.db, { q: tag, role: "owner", status: "active" });
    expect(activeOwners.rows.map((r) => r.id).sort()).toEqual(made.filter((u) => u.role === "owner" && !u.disabledAt).map((u) => u.id).sort());
  });

  it("reads an unreadable cursor as the first page", async () => {
    const first = await listUsers(t.db, { q: tag });
    for (const after of ["nonsense", Buffer.from("yesterday|x").toString("base64url"), ""]) {
      expect((await listUsers(t.db, { q: tag, after })).rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    }
  });
});
