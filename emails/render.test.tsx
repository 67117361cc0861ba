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

  it("new-request says why an External plan's request came back to people: the timeout, or the endpoint gone", async () => {
    const t = templates["new-request"];
    const text = async (endpointGone?: boolean) =>
      render(t.render({ ...t.previewProps, handoff: { endpointName: "Billing", timeoutHours: 72, ...(endpointGone ? { endpointGone } : {}) } }), { plainText: true });
    expect(await text()).toContain("Billing, which did not decide this one within 72 hours");
    expect(await text(true)).toContain("Billing, which was disabled or removed before it decided this one");
  });
});
