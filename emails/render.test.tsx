import { render } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { templateNames, templates } from "./index";

describe("email templates", () => {
  it.each(templateNames)("%s renders from its PreviewProps", async (name) => {
    const t = templates[name] as unknown as {
      render: (p: unknown) => React.ReactElement;
      defaultSubject: (p: unknown) => string;
      previewProps: unknown;
    };
    const element = t.render(t.previewProps);
    const html = await render(element);
    const text = await render(element, { plainText: true });
    expect(html).toContain("<html");
    expect(text.length).toBeGreaterThan(20);
    expect(t.defaultSubject(t.previewProps).length).toBeGreaterThan(3);
  });

  it("sign-in carries its link and lifetime", async () => {
    const text = await render(templates["sign-in"].render(templates["sign-in"].previewProps), { plainText: true });
    expect(text).toContain("api/auth/callback/email?token=preview");
    expect(text).toContain("expires in 10 minutes");
  });
});
