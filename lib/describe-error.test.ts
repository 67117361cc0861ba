import { describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { isolatedDatabase } from "@/tests/database";
import { describeError } from "./describe-error";

const t = await isolatedDatabase();

describe("describeError", () => {
  it("names a database error by code and constraint, never by the values it was given", async () => {
    const email = `secret-${Date.now()}@example.com`;
    await t.db.insert(users).values({ email });
    const error = await t.db
      .insert(users)
      .values({ email })
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    // The parameters stay on the error (db/connect.ts keeps them out of its message).
    expect((error as { params?: unknown[] }).params).toContain(email);
    const line = describeError(error);
    expect(line).toMatch(/^database error 23505 \(constraint \w+/);
    expect(line).not.toContain(email);
  });

  it("keeps other errors' names and messages, shortened", () => {
    expect(describeError(new TypeError("x is not a function"))).toBe("TypeError: x is not a function");
    expect(describeError(new Error("y".repeat(2000))).length).toBeLessThanOrEqual(500);
    expect(describeError("plain")).toBe("plain");
  });
});
