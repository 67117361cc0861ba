import { describe, expect, it } from "vitest";
import { productSchema } from "@/lib/products/product-schema";
import { tagLabel } from "./tag-label";

describe("tagLabel", () => {
  it("starts a tag with a capital and keeps its hyphens", () => {
    expect(tagLabel("finance")).toBe("Finance");
    expect(tagLabel("open-banking")).toBe("Open-banking");
    expect(tagLabel("e-commerce")).toBe("E-commerce");
  });

  it("writes known initials and names in their own case, first or not", () => {
    expect(tagLabel("sms")).toBe("SMS");
    expect(tagLabel("ai")).toBe("AI");
    expect(tagLabel("graphql")).toBe("GraphQL");
    expect(tagLabel("ios")).toBe("iOS");
    expect(tagLabel("ios-sdk")).toBe("iOS-SDK");
    expect(tagLabel("b2b")).toBe("B2B");
    expect(tagLabel("rest-api")).toBe("REST-API");
    expect(tagLabel("payments-api")).toBe("Payments-API");
  });

  it("copes with what has no letter to raise", () => {
    expect(tagLabel("")).toBe("");
    expect(tagLabel("3d")).toBe("3d");
    expect(tagLabel("2fa")).toBe("2fa");
  });

  it("is tested on tags the product form accepts", () => {
    const tags = ["finance", "open-banking", "sms", "ios-sdk", "b2b", "rest-api", "3d", "2fa"];
    const parsed = productSchema.shape.tags.safeParse(tags.join(", "));
    expect(parsed.success).toBe(true);
  });
});
