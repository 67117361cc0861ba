import { describe, expect, it } from "vitest";
import { submitRequestSchema } from "./submit-schema";

const base = { newAppName: "My app", reason: "Because" };
const errorOf = (field: string, value: string) => {
  const result = submitRequestSchema.safeParse({ ...base, [field]: value });
  return result.success ? null : result.error.issues.find((i) => i.path[0] === field)?.message;
};

describe("the cart's schedule fields", () => {
  it("say what is wrong with a duration, never zod's bare 'Invalid input'", () => {
    expect(errorOf("durationDays", "1.5")).toBe("Enter a whole number of days.");
    expect(errorOf("durationDays", "ten")).toBe("Enter a number of days.");
    expect(errorOf("durationDays", "0")).toBe("Ask for at least 1 day.");
    expect(errorOf("durationDays", "-5")).toBe("Ask for at least 1 day.");
    expect(errorOf("durationDays", "4000")).toBe("Ask for at most 3,650 days.");
  });

  it("say what is wrong with a start", () => {
    expect(errorOf("startsAt", "tomorrow")).toBe("Enter a date and time, or leave it empty for now.");
  });

  it("read an empty field as not given, and a good one as its value", () => {
    const empty = submitRequestSchema.parse({ ...base, durationDays: "", startsAt: "" });
    expect(empty.durationDays).toBeUndefined();
    expect(empty.startsAt).toBeUndefined();
    const given = submitRequestSchema.parse({ ...base, durationDays: "30", startsAt: "2027-01-02T03:04" });
    expect(given.durationDays).toBe(30);
    expect(given.startsAt).toBe("2027-01-02T03:04");
  });
});
