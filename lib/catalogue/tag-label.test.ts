import { describe, expect, it } from "vitest";
import { tagLabel } from "./tag-label";

describe("tagLabel", () => {
  it("starts a lower-case tag with a capital and leaves the rest", () => {
    expect(tagLabel("finance")).toBe("Finance");
    expect(tagLabel("machine learning")).toBe("Machine learning");
    expect(tagLabel("e-commerce")).toBe("E-commerce");
    expect(tagLabel("élan")).toBe("Élan");
  });

  it("shows a tag with capitals of its own as written", () => {
    expect(tagLabel("GraphQL")).toBe("GraphQL");
    expect(tagLabel("iOS")).toBe("iOS");
    expect(tagLabel("AI")).toBe("AI");
  });

  it("copes with what has no letter to raise", () => {
    expect(tagLabel("")).toBe("");
    expect(tagLabel("3d")).toBe("3d");
    expect(tagLabel("🚀 launch")).toBe("🚀 launch");
  });
});
