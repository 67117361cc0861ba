import { describe, expect, it } from "vitest";
import { appSchema } from "@/lib/apps/app-schema";
import { planSchema } from "@/lib/plans/plan-schema";
import { productSchema } from "@/lib/products/product-schema";
import { isPlainText, isSingleLine } from "./validation";

// Every control character that can split an email header or forge a log line.
const breakers = ["\r", "\n", "\r\n", "\u0000", "\u0007", "\u001b[31m", "\u007f", "\u0085", "\u009b", "\u2028", "\u2029", "\uD800"];

describe("names are one line of text", () => {
  it("refuses C0 and C1 controls, DEL, Unicode line separators and lone surrogates", () => {
    for (const c of breakers) expect(isSingleLine(`Pay${c}ments`), JSON.stringify(c)).toBe(false);
    for (const ok of ["Payments API", "Zahlungs-API für Händler", "支付 API", "Ödeme — v2 (beta)", "🚀 Launch"]) expect(isSingleLine(ok), ok).toBe(true);
  });

  it("descriptions may break lines but hold no other control character", () => {
    expect(isPlainText("Line one\r\nLine two\tindented")).toBe(true);
    for (const c of ["\u0000", "\u001b", "\u0085", "\u009b"]) expect(isPlainText(`a${c}b`), JSON.stringify(c)).toBe(false);
  });

  it("apps, products and plans refuse such names with a message beside the field", () => {
    const plan = (name: string) =>
      planSchema.safeParse({ name, description: "", keyLifetimeDays: "90", claimLinkHours: "72", approvalsRequired: "1", requestFields: "[]" });
    const cases = [
      (name: string) => appSchema.safeParse({ name }),
      (name: string) => productSchema.safeParse({ name, slug: "x", authMethod: "api_key" }),
      plan,
    ];
    for (const parse of cases) {
      for (const c of ["\r\nBcc: victim@example.com", "\u0000", "\u2028"]) {
        const result = parse(`Na${c}me`);
        expect(result.success).toBe(false);
        const issue = result.error?.issues.find((i) => i.path[0] === "name");
        expect(issue?.message, JSON.stringify(c)).toMatch(/line breaks or invisible control characters/);
      }
    }
  });
});
