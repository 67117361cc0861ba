import { render } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { renderSubject, templateNames, templates } from "./index";

describe("email templates", () => {
  it.each(templateNames)("%s renders from its PreviewProps", async (name) => {
    const t = templates[name] as unknown as {
      render: (p: unknown) => React.ReactElement;
      defaultSubject: string;
      subjectVars: (p: unknown) => Record<string, string>;
      previewProps: unknown;
    };
    const element = t.render(t.previewProps);
    const html = await render(element);
    const text = await render(element, { plainText: true });
    expect(html).toContain("<html");
    expect(text.length).toBeGreaterThan(20);
    const subject = renderSubject(t.defaultSubject, t.subjectVars(t.previewProps));
    expect(subject.length).toBeGreaterThan(3);
    expect(subject).not.toMatch(/\{\w+\}/);
  });

  it("sign-in carries its link and lifetime", async () => {
    const text = await render(templates["sign-in"].render(templates["sign-in"].previewProps), { plainText: true });
    expect(text).toContain("api/auth/callback/email?token=preview");
    expect(text).toContain("expires in 10 minutes");
  });
});
