import { describe, expect, it } from "vitest";
import { renderSubject } from "@/emails/subject";
import { subjectSchema } from "./subject-schema";

const messageOf = (input: { template: string; subject: string }) => {
  const result = subjectSchema.safeParse(input);
  return result.success ? null : result.error.issues.find((i) => i.path[0] === "subject")?.message;
};

describe("email subjects", () => {
  it("refuse every control character, not only CR and LF, so nothing reaches an email header", () => {
    for (const c of ["\r\n", "\u0000", "\u001b", "\u0085", "\u2028"]) {
      expect(messageOf({ template: "approved", subject: `Access to {products}${c}Bcc: x@example.com` }), JSON.stringify(c)).toBe(
        "A subject is one line: remove line breaks and invisible control characters.",
      );
    }
  });

  it("refuse unknown placeholders, naming them and listing the valid ones", () => {
    expect(messageOf({ template: "approved", subject: "Hello {user}, {products} is yours ({plan}, {apps})" })).toBe(
      "{user}, {apps} are not placeholders of this email. Use {portal}, {products}, {plan}, {app}.",
    );
    expect(messageOf({ template: "sign-in", subject: "Sign in to {products}" })).toBe("{products} is not a placeholder of this email. Use {portal}, {host}.");
  });

  it("accept the template's own placeholders, and an empty subject (the default)", () => {
    expect(subjectSchema.safeParse({ template: "approved", subject: "  {products} for {app} on {plan}  " })).toMatchObject({
      success: true,
      data: { subject: "{products} for {app} on {plan}" },
    });
    expect(subjectSchema.safeParse({ template: "approved", subject: "" }).success).toBe(true);
  });

  it("render as one header line even if a value held a line break", () => {
    expect(renderSubject("Access to {products}", { products: "Pay\r\nBcc: x@example.com" })).toBe("Access to Pay Bcc: x@example.com");
  });
});
