import { describe, expect, it } from "vitest";
import { INDEX_ORDER_SETTINGS } from "@/db/connect";
import { transactionSettings } from "./queue-query";

// Behind a transaction pooler the queue's statements set their planner settings in a transaction;
// on the queue's own pool its connections start with them. Both must plan alike.
describe("the queue's settings in a transaction", () => {
  it("are the queue pool's for a statement that does not ask for sorting, and for one walking an index", () => {
    for (const opts of [{}, { indexOrder: true }]) {
      expect(Object.fromEntries(transactionSettings(opts))).toEqual(INDEX_ORDER_SETTINGS);
    }
  });

  it("allow sorting, and only that, for a page sorted from its matches (indexOrder: false)", () => {
    expect(Object.fromEntries(transactionSettings({ indexOrder: false }))).toEqual({ ...INDEX_ORDER_SETTINGS, enable_sort: "on" });
  });
});
