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

describe("the states' words in emails (lib/requests/status-label.ts)", () => {
  it.each(["reject", "extension-denied"] as const)("%s says denied, the state's word, in its subject, preview and text", async (name) => {
    const t = templates[name] as unknown as {
      render: (p: unknown) => React.ReactElement;
      defaultSubject: string;
      subjectVars: (p: unknown) => Record<string, string>;
      previewProps: unknown;
    };
    const subject = renderSubject(t.defaultSubject, t.subjectVars(t.previewProps));
    const text = await render(t.render(t.previewProps), { plainText: true });
    expect(subject).toMatch(/^(Extension d|D)enied: /);
    expect(text).toMatch(/was denied\./);
    for (const words of [subject, text]) expect(words).not.toMatch(/not approved/i);
  });
});

describe("the brand in every email", () => {
  const brand = { name: "Acme APIs", accent: "#0f766e", logoUrl: "https://portal.acme.test/brand/logo?v=1" };

  it.each(templateNames)("%s uses the brand's name, logo and accent, has a plain-text part, and is dark-mode ready", async (name) => {
    const t = templates[name] as unknown as { render: (p: unknown) => React.ReactElement; previewProps: object };
    const element = t.render({ ...t.previewProps, brand, recipientName: "Ada Lovelace" });
    const html = await render(element);
    const text = await render(element, { plainText: true });
    expect(html).toContain("Acme APIs");
    expect(html).toContain('src="https://portal.acme.test/brand/logo?v=1"');
    expect(html).not.toContain("Portico");
    expect(html).toMatch(/<meta content="light dark" name="color-scheme"|<meta name="color-scheme" content="light dark"/);
    expect(html).toContain("prefers-color-scheme: dark");
    // every button is white on the accent; nothing is left in Portico's indigo
    expect(html).not.toContain("#4f46e5");
    if (html.includes('class="pt-button"')) expect(html).toContain("background-color:#0f766e");
    expect(text).toContain("Acme APIs");
    expect(text).toMatch(/Hello (Ada Lovelace|Cleo Consumer|[A-Z]\w+)/);
    // plain text reads as text: no markup, no CSS, no runaway blank lines
    expect(text).not.toMatch(/<\w|\{|prefers-color-scheme/);
    expect(text).not.toMatch(/\n{4,}/);
  });

  it("greets the recipient by name when the address has one, and not at all otherwise", async () => {
    const t = templates["sign-in"];
    expect(await render(t.render({ ...t.previewProps, recipientName: "Ada Lovelace" }), { plainText: true })).toContain("Hello Ada Lovelace,");
    expect(await render(t.render(t.previewProps), { plainText: true })).not.toContain("Hello");
  });

  it("the sign-in subject names the portal, never the bare host", () => {
    const t = templates["sign-in"];
    const subject = renderSubject(t.defaultSubject, t.subjectVars({ ...t.previewProps, host: "127.0.0.1:3100", brand } as typeof t.previewProps));
    expect(subject).toBe("Sign in to Acme APIs");
    expect(renderSubject(t.defaultSubject, t.subjectVars({ ...t.previewProps, host: "127.0.0.1:3100" }))).toBe("Sign in to Portico");
    // an admin's override written with {host} keeps working
    expect(renderSubject("Your link for {host}", t.subjectVars({ ...t.previewProps, host: "127.0.0.1:3100" }))).toBe("Your link for 127.0.0.1:3100");
  });

  it("new-request lists the requester's answers and links to the request's admin page", async () => {
    const t = templates["new-request"];
    const text = await render(t.render(t.previewProps), { plainText: true });
    expect(text).toContain("Their answers");
    expect(text).toContain("Company: Acme Ltd");
    expect(text).toContain("Expected calls per day: About 20,000");
    expect(text).toMatch(/REVIEW THE REQUEST|Review the request/);
    expect(text).toContain("/admin/requests/00000000-0000-4000-8000-000000000000");
  });
});
