import { deflateSync } from "node:zlib";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, portalBranding } from "@/db/schema";
import type { UserActor } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { contrastRatio } from "./contrast";
import { DEFAULT_BRANDING } from "./defaults";
import { iconResponse, logoResponse } from "./image-responses";
import { readBranding } from "./read-branding";
import { type SaveBrandingInput, saveBranding } from "./save-branding";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let admin: UserActor;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  const row = await f.user("admin");
  admin = { kind: "user", id: row.id, role: "admin", disabled: false };
});

const valid = (over: Partial<SaveBrandingInput> = {}): SaveBrandingInput => ({
  name: "Acme APIs",
  headline: "Every Acme API in one place.",
  accent: "#0f766e",
  footerLinks: [
    { label: "Status", href: "https://status.acme.test" },
    { label: "API docs", href: "/docs/api" },
  ],
  logo: "keep",
  ...over,
});

/** A minimal valid PNG of the given size (signature, IHDR, IDAT, IEND; CRCs are not checked by the parser). */
function png(width: number, height: number) {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, "latin1"), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(Buffer.alloc(height * (width * 3 + 1)))),
      chunk("IEND", Buffer.alloc(0)),
    ]),
  );
}
const svg = (body = '<rect width="10" height="10" fill="#0f766e"/>') =>
  new TextEncoder().encode(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">${body}</svg>`);

async function snapshot() {
  const rows = await t.db.select().from(portalBranding);
  const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "branding.updated"));
  return { rows: JSON.stringify(rows), events: events.length };
}

/** Refused with a DomainError naming `field`, and nothing written. */
async function refused(actor: UserActor, input: SaveBrandingInput, field: string | null, message: RegExp) {
  const before = await snapshot();
  const error = await saveBranding(t.db, actor, input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  const e = error as DomainError;
  if (field) expect(e.fieldErrors?.[field]).toMatch(message);
  else expect(e.message).toMatch(message);
  expect(await snapshot()).toEqual(before);
}

describe("saveBranding", () => {
  it("saves the brand and its audit event; reading it back gives the new brand", async () => {
    expect(await readBranding(t.db)).toEqual(DEFAULT_BRANDING);
    await saveBranding(t.db, admin, valid({ logo: { bytes: svg(), filename: "acme.svg" } }));
    const brand = await readBranding(t.db);
    expect(brand).toMatchObject({ name: "Acme APIs", accent: "#0f766e", logoType: "image/svg+xml", footerLinks: valid().footerLinks });
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "branding.updated"));
    expect(event).toMatchObject({ actorId: admin.id, subjectType: "setting", subjectId: "branding" });
    expect(JSON.stringify(event?.data)).not.toContain("<svg");
  });

  it("refuses an accent without AA contrast, saying the ratio and what to do", async () => {
    // amber-400: 1.66:1 with white (rounded down)
    expect(contrastRatio("#fbbf24", "#ffffff")).toBeLessThan(4.5);
    await refused(admin, valid({ accent: "#fbbf24" }), "accent", /1\.66:1 with white.*at least 4\.5:1.*darker shade/);
    // just under the line: #7a7a7a is 4.29:1
    await refused(admin, valid({ accent: "#7a7a7a" }), "accent", /4\.2\d:1/);
    await refused(admin, valid({ accent: "indigo" }), "accent", /#rrggbb/);
    // indigo-600, the default, passes (6.29:1)
    expect(contrastRatio(DEFAULT_BRANDING.accent, "#ffffff")).toBeGreaterThan(4.5);
  });

  it("refuses logos that are not what they say, too big, oddly sized, or SVGs that could run something", async () => {
    await refused(admin, valid({ logo: { bytes: png(64, 64), filename: "logo.svg" } }), "logo", /named as a SVG but is a PNG/);
    await refused(admin, valid({ logo: { bytes: svg(), filename: "logo.png" } }), "logo", /named as a PNG but is a SVG/);
    await refused(admin, valid({ logo: { bytes: svg('<script>alert(1)</script>'), filename: "logo.svg" } }), "logo", /<script>/);
    await refused(admin, valid({ logo: { bytes: svg('<rect onload="alert(1)"/>'), filename: "logo.svg" } }), "logo", /event handler/);
    await refused(admin, valid({ logo: { bytes: svg('<a href="javascript:alert(1)"><rect/></a>'), filename: "logo.svg" } }), "logo", /javascript:|another file/);
    await refused(admin, valid({ logo: { bytes: svg('<image href="https://evil.test/x.png"/>'), filename: "logo.svg" } }), "logo", /another file/);
    await refused(admin, valid({ logo: { bytes: new TextEncoder().encode("GIF89a..."), filename: "logo.gif" } }), "logo", /SVG or PNG/);
    await refused(admin, valid({ logo: { bytes: new TextEncoder().encode("hello"), filename: "logo.png" } }), "logo", /neither a PNG nor an SVG/);
    const big = svg(`<desc>${"x".repeat(210 * 1024)}</desc>`);
    await refused(admin, valid({ logo: { bytes: big, filename: "big.svg" } }), "logo", /limit is 200 KB/);
    await refused(admin, valid({ logo: { bytes: png(5000, 20), filename: "wide.png" } }), "logo", /5000 × 20 px/);
  });

  it("refuses javascript:, http: and protocol-relative footer links, and more than six", async () => {
    await refused(admin, valid({ footerLinks: [{ label: "Hi", href: "javascript:alert(1)" }] }), "footerLinks.0.href", /javascript: links are not allowed/);
    await refused(admin, valid({ footerLinks: [{ label: "Hi", href: " JavaScript:alert(1)" }] }), "footerLinks.0.href", /not allowed/);
    await refused(admin, valid({ footerLinks: [{ label: "Hi", href: "http://acme.test" }] }), "footerLinks.0.href", /http: links/);
    await refused(admin, valid({ footerLinks: [{ label: "Hi", href: "//evil.test" }] }), "footerLinks.0.href", /https:\/\//);
    const seven = Array.from({ length: 7 }, (_, i) => ({ label: `L${i}`, href: `/l${i}` }));
    await refused(admin, valid({ footerLinks: seven }), "footerLinks", /At most 6/);
  });

  it("refuses a non-admin, an owner included, and writes nothing", async () => {
    const owner = await f.owner();
    await refused({ kind: "user", id: owner.id, role: "owner", disabled: false }, valid(), null, /Only an admin/);
    const consumer = await f.user("consumer");
    await refused({ kind: "user", id: consumer.id, role: "consumer", disabled: false }, valid(), null, /Only an admin/);
    await refused({ ...admin, disabled: true }, valid(), null, /disabled/);
  });

  it("removes the logo when asked; the icon becomes the letter mark in the accent", async () => {
    await saveBranding(t.db, admin, valid({ logo: "remove" }));
    expect((await readBranding(t.db)).logoType).toBeNull();
    expect((await logoResponse(t.db)).status).toBe(404);
    const icon = await iconResponse(t.db);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    const body = await icon.text();
    expect(body).toContain('fill="#0f766e"');
    expect(body).toContain(">A</text>");
  });
});

describe("the logo route", () => {
  it("serves an SVG as an image that runs nothing: its own type, a CSP with no script, nosniff", async () => {
    await saveBranding(t.db, admin, valid({ logo: { bytes: svg(), filename: "acme.svg" } }));
    const res = await logoResponse(t.db);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain("<svg");
    const icon = await iconResponse(t.db);
    expect(icon.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
  });

  it("serves a PNG with its type", async () => {
    const bytes = png(64, 32);
    await saveBranding(t.db, admin, valid({ logo: { bytes, filename: "acme.png" } }));
    const res = await logoResponse(t.db);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });
});
