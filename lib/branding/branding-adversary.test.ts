import { beforeAll, describe, expect, it } from "vitest";
import { portalBranding } from "@/db/schema";
import type { UserActor } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { footerHrefProblem } from "./branding-schema";
import { checkLogo } from "./logo";
import { saveBranding } from "./save-branding";

const t = await isolatedDatabase();
let admin: UserActor;
beforeAll(async () => {
  const f = await catalogueFixture(t.db);
  const row = await f.user("admin");
  admin = { kind: "user", id: row.id, role: "admin", disabled: false };
});

const svg = (body: string) => ({ bytes: new TextEncoder().encode(body), filename: "logo.svg" });
const NS = 'xmlns="http://www.w3.org/2000/svg"';

describe("adversary: logo SVGs that would run or load something", () => {
  // Each passed the filter: an event handler after "/" instead of a space, SMIL setting a link to
  // javascript: written with a character reference, and a stylesheet loading through image-set().
  const attacks: [string, string][] = [
    ["an event handler after a slash", `<svg ${NS}/onload="alert(1)"><rect width="9" height="9"/></svg>`],
    ["an event handler after a quote", `<svg ${NS} x="1"onload="alert(1)"><rect width="9" height="9"/></svg>`],
    ["SMIL <set> turning a link into javascript:", `<svg ${NS}><a><set attributeName="href" to="jav&#x61;script:alert(1)"/><text y="20">x</text></a></svg>`],
    [
      "SMIL <animate> on xlink:href",
      `<svg ${NS} xmlns:xlink="http://www.w3.org/1999/xlink"><a><animate attributeName="xlink:href" values="&#106;avascript:alert(1)"/><text y="20">x</text></a></svg>`,
    ],
    ["javascript: written with character references", `<svg ${NS}><a><set attributeName="target" to="x"/><text y="20">&#106;&#97;vascript&#58;</text></a><a href="#x">y</a><animate to="&#x6A;avascript&#x3A;1"/></svg>`],
    ["an external image through image-set()", `<svg ${NS}><style>rect{fill:url(#a);background-image:image-set("https://evil.example/p.png" 1x)}</style><rect width="9" height="9"/></svg>`],
  ];
  for (const [what, body] of attacks) {
    it(`refuses ${what}`, () => {
      const r = checkLogo(svg(body));
      expect(r.ok, what).toBe(false);
    });
  }

  it("still accepts a plain drawing with internal references", () => {
    const r = checkLogo(svg(`<svg ${NS} viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><use href="#g"/><text>AT&amp;T</text></svg>`));
    expect(r.ok).toBe(true);
  });
});

describe("adversary: footer links that leave the portal by a side door", () => {
  // Browsers drop tabs and line breaks from a URL: "/\t/evil.example" is followed as "//evil.example",
  // another host, over http on an http portal — the very links the check means to refuse.
  for (const href of ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\t\\evil.example", "/docs\u0000"]) {
    it(`refuses ${JSON.stringify(href)}`, () => {
      expect(footerHrefProblem(href)).not.toBeNull();
    });
  }

  it("saveBranding writes nothing for such a link", async () => {
    const before = await t.db.select().from(portalBranding);
    const e = await saveBranding(t.db, admin, {
      name: "Acme APIs",
      headline: "",
      accent: "#0f766e",
      footerLinks: [{ label: "Status", href: "/\t/evil.example" }],
      logo: "keep",
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe("invalid");
    expect(await t.db.select().from(portalBranding)).toEqual(before);
  });

  it("still accepts paths and https links", () => {
    for (const href of ["/docs/api", "/apis?tag=maps", "https://status.acme.test/x#y"]) expect(footerHrefProblem(href), href).toBeNull();
  });
});
