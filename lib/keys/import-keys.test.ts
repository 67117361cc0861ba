import { randomBytes } from "node:crypto";
import { stringify } from "csv-stringify/sync";
import { and, eq, inArray, isNotNull, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, apiKeys, apps, auditEvents, productPlans, products, users, webhookEndpoints, webhookEvents } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest as approvedRequestFor, latestClaimToken, refusal } from "@/tests/requests";
import { checkKey } from "./check-key";
import { claimKey } from "./claim-key";
import { generateKey, hashSecret } from "./key-format";
import { IMPORT_EXAMPLE_CSV, IMPORT_MAX_ROWS, importKeys } from "./import-keys";
import { lookupKey, verifyKey } from "./verify-key";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const prefix = "ptk";
const approver = userActor(await f.owner());
const adminRow = await f.user("admin");
const admin = userActor(adminRow);
const verify = (key: string, product?: string) => verifyKey({ key, product }, (h) => lookupKey(t.sql, h), { prefix });

// An archived product offered on Standard, for the "archived product" refusal.
const [archived] = await t.db
  .insert(products)
  .values({ slug: `old-${randomBytes(3).toString("hex")}`, name: "Old API", ownerId: approver.id, status: "archived" })
  .returning();
if (!archived) throw new Error("archived product");
await t.db.insert(productPlans).values({ productId: archived.id, planId: f.plan("Standard").id });

async function claimed() {
  const { user, request } = await approvedRequestFor({ db: t.db, f, approver, baseUrl });
  const { plaintext } = await claimKey(t.db, await latestClaimToken(t.db, request.id, baseUrl), user.id, { prefix });
  return { user, request, plaintext };
}

const HEADER = ["app", "consumer_email", "products", "plan", "key", "key_sha256", "expires_at"];
const csvOf = (rows: string[][]) => stringify([HEADER, ...rows]);
const writtenCounts = async () => ({
  users: await t.db.$count(users),
  apps: await t.db.$count(apps),
  requests: await t.db.$count(accessRequests),
  keys: await t.db.$count(apiKeys),
  audit: await t.db.$count(auditEvents),
});

describe("importKeys: 10,000 rows with 50 bad ones", () => {
  it("imports 9,950 keys that verify, names exactly the 50 refused rows, in < 30 s; a second run creates nothing", { timeout: 120_000 }, async () => {
    const tag = randomBytes(4).toString("hex");
    const existing = [await claimed(), await claimed(), await claimed()];
    const future = new Date(Date.now() + 90 * 86_400_000).toISOString();
    const rows: string[][] = [];
    const portico: { key: string; line: number }[] = [];
    const legacy: { key: string; line: number }[] = [];
    const badLines = new Map<number, RegExp>();
    const bad: ((n: number) => [string[], RegExp])[] = [];
    const add = (count: number, make: (n: number) => [string[], RegExp]) => {
      for (let i = 0; i < count; i++) bad.push(make);
    };
    const badRow = (n: number, over: Partial<Record<string, string>>) => {
      const r: Record<string, string> = {
        app: `Bad ${n}`,
        consumer_email: `bad-${tag}-${n}@example.com`,
        products: "payments",
        plan: "Standard",
        key: generateKey(prefix),
        key_sha256: "",
        expires_at: "",
        ...over,
      };
      return HEADER.map((h) => r[h] ?? "");
    };
    add(5, (n) => [badRow(n, { products: `nope-${n}` }), /^Unknown product “nope-/]);
    add(5, (n) => [badRow(n, { plan: "Platinum" }), /^Unknown plan “Platinum”/]);
    add(4, (n) => [badRow(n, { products: `payments;${archived.slug}` }), /is archived/]);
    add(5, (n) => [badRow(n, { consumer_email: `not-an-email-${n}` }), /is not an email address/]);
    add(4, (n) => [badRow(n, { key_sha256: hashSecret(`x${n}`) }), /^Both key and key_sha256/]);
    add(4, (n) => [badRow(n, { key: "" }), /^Neither key nor key_sha256/]);
    add(4, (n) => [badRow(n, { key: "", key_sha256: "zz".repeat(32) }), /is not a SHA-256 in hex/]);
    add(4, (n) => [badRow(n, { expires_at: "31/12/2027" }), /is not a date/]);
    add(4, (n) => [badRow(n, { expires_at: "2020-01-01" }), /is in the past/]);
    add(5, (n) => [badRow(n, { key: portico[n % 10]?.key ?? "" }), /^The same key as row \d+/]);
    add(3, (n) => [badRow(n, { key: existing[n % 3]?.plaintext ?? "" }), /^This key is already in Portico/]);
    add(3, (n) => [badRow(n, { consumer_email: existing[n % 3]?.user.email ?? "", app: "App" }), /^App “App” already has access for “payments”/]);
    expect(bad).toHaveLength(50);

    let b = 0;
    for (let i = 0; i < 10_000; i++) {
      const line = i + 2;
      const maker = i % 200 === 150 ? bad[b++] : undefined;
      if (maker) {
        const [row, reason] = maker(b);
        rows.push(row);
        badLines.set(line, reason);
        continue;
      }
      const email = `c${i % 500}-${tag}@example.com`;
      const app = `App ${Math.floor(i / 500)}`;
      const productsCell = i % 7 === 0 ? "payments;invoices" : i % 11 === 0 ? "payments|fx-rates" : "payments";
      const expires = i % 3 === 0 ? "" : i % 3 === 1 ? future : future.slice(0, 10);
      if (i % 10 === 0) {
        const key = `legacy-${tag}-${i}-${randomBytes(8).toString("hex")}`;
        legacy.push({ key, line });
        rows.push([app, email, productsCell, "Standard", "", hashSecret(key), expires]);
      } else {
        const key = generateKey(prefix);
        portico.push({ key, line });
        rows.push([app, email, productsCell, "Standard", key, "", expires]);
      }
    }
    const csv = csvOf(rows);
    console.log(`import file: ${rows.length} rows, ${(Buffer.byteLength(csv) / 1024 / 1024).toFixed(2)} MB`);

    const before = await writtenCounts();
    const dry = await importKeys(t.db, admin, { csv, fileName: "keys.csv", dryRun: true });
    expect(await writtenCounts()).toEqual(before);
    expect(dry.imported).toHaveLength(9950);
    expect(dry.refused.map((r) => r.row)).toEqual([...badLines.keys()]);

    const started = performance.now();
    const report = await importKeys(t.db, admin, { csv, fileName: "keys.csv", dryRun: false });
    const ms = performance.now() - started;
    console.log(`importKeys: 10,000 rows (9,950 imported, 50 refused) in ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(30_000);

    expect(report.imported).toHaveLength(9950);
    expect(report.refused.map((r) => r.row)).toEqual([...badLines.keys()]);
    for (const r of report.refused) expect(r.reason).toMatch(badLines.get(r.row) ?? /never/);
    expect(report.newConsumers).toBe(500);
    expect(report.newApps).toBe(9950);

    const after = await writtenCounts();
    expect(after.keys - before.keys).toBe(9950);
    expect(after.users - before.users).toBe(500);
    expect(after.apps - before.apps).toBe(9950);
    expect(after.requests - before.requests).toBe(9950);
    // One audit event, counts only.
    expect(after.audit - before.audit).toBe(1);
    const [event] = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "keys.imported"));
    expect(event?.data).toMatchObject({ fileName: "keys.csv", rows: 10_000, imported: 9950, refused: 50, newConsumers: 500, newApps: 9950 });
    const dump = JSON.stringify(event);
    expect(dump).not.toContain(portico[0]?.key);
    expect(dump).not.toContain(hashSecret(portico[0]?.key ?? ""));

    // Sampled keys verify like issued ones, for their products.
    for (const { key, line } of portico.filter((_, i) => i % 450 === 0)) {
      const result = await verify(key, "payments");
      expect(result.status, `row ${line}`).toBe(200);
    }
    const invoiceRow = portico.find((p) => (p.line - 2) % 7 === 0);
    expect((await verify(invoiceRow?.key ?? "", "invoices")).status).toBe(200);
    expect((await verify(invoiceRow?.key ?? "", "weather")).status).toBe(403);
    // Legacy keys: stored by hash only; Check recognises them.
    const legacyOne = legacy[3];
    const found = await checkKey(t.db, admin, { key: legacyOne?.key ?? "" }, { prefix });
    expect(found.found && found.key).toMatchObject({ state: "current", imported: true, start: "imported" });
    // Plaintext is never stored: starts are 8 characters, hashes are hex.
    const sample = await t.db.select().from(apiKeys).where(isNotNull(apiKeys.importedAt)).limit(5);
    for (const k of sample) expect(k.start === "imported" || k.start.length === 8).toBe(true);
    const [requestOf] = await t.db
      .select({ status: accessRequests.status, plan: accessRequests.plan })
      .from(accessRequests)
      .innerJoin(apiKeys, eq(apiKeys.requestId, accessRequests.id))
      .where(eq(apiKeys.keyHash, hashSecret(portico[0]?.key ?? "")));
    expect(requestOf?.status).toBe("available");
    expect(requestOf?.plan).toMatchObject({ name: "Standard", rateLimitPerMinute: f.plan("Standard").rateLimitPerMinute });

    // Again: every row refused (already in Portico, or its own mistake), nothing written.
    const before2 = await writtenCounts();
    const again = await importKeys(t.db, admin, { csv, fileName: "keys.csv", dryRun: false });
    expect(again.imported).toHaveLength(0);
    expect(again.refused).toHaveLength(10_000);
    expect(again.refused.filter((r) => r.reason.startsWith("This key is already in Portico")).length).toBeGreaterThanOrEqual(9950);
    const after2 = await writtenCounts();
    expect({ ...after2, audit: after2.audit - 1 }).toEqual(before2);
  });
});

describe("importKeys: rows and files", () => {
  it("a new consumer and app are created without email or webhook; an existing consumer's app is found by name", async () => {
    // An endpoint that hears every event: the import is one audit event and no webhook per key.
    await t.db.insert(webhookEndpoints).values({ name: `all-${randomBytes(3).toString("hex")}`, url: "https://hooks.example.com/in", secret: "whsec_test" });
    const eventsBefore = await t.db.$count(webhookEvents);
    const c = await f.user();
    const app = await f.app(c.id, "Existing app");
    const email = `new-${randomBytes(3).toString("hex")}@example.com`;
    const key1 = generateKey(prefix);
    const key2 = "sk_other_portal_0123456789";
    const report = await importKeys(t.db, admin, {
      csv: csvOf([
        ["Existing app", c.email, "weather", "Free", key1, "", ""],
        ["Fresh app", email.toUpperCase(), "weather", "Free", key2, "", "2099-01-01"],
      ]),
      fileName: "two.csv",
      dryRun: false,
    });
    expect(report.refused).toEqual([]);
    expect(report.imported.map((r) => [r.newConsumer, r.newApp, r.start])).toEqual([
      [false, false, key1.slice(0, 8)],
      [true, true, "sk_other"],
    ]);
    const [k1] = await t.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashSecret(key1)));
    expect(k1?.appId).toBe(app.id);
    expect(k1?.expiresAt).toBeNull();
    const [created] = await t.db.select().from(users).where(eq(users.email, email));
    expect(created?.role).toBe("consumer");
    const mail = await t.sql`select count(*)::int as n from email_messages where "to" = ${email}`;
    expect(mail[0]?.n).toBe(0);
    expect(await t.db.$count(webhookEvents)).toBe(eventsBefore);
  });

  it("refuses a plan the product does not offer, a disabled consumer, and the same app+product twice in a file", async () => {
    const d = await f.user();
    await t.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, d.id));
    const email = `twice-${randomBytes(3).toString("hex")}@example.com`;
    const report = await importKeys(t.db, admin, {
      csv: csvOf([
        ["A", email, "routing", "Free", generateKey(prefix), "", ""],
        ["A", d.email, "payments", "Free", generateKey(prefix), "", ""],
        ["A", email, "payments", "Free", generateKey(prefix), "", ""],
        ["A", email, "payments;invoices", "Free", generateKey(prefix), "", ""],
      ]),
      fileName: "x.csv",
      dryRun: true,
    });
    expect(report.refused.map((r) => [r.row, r.reason.split(":")[0]])).toEqual([
      [2, "Plan “Free” is not offered for “routing”"],
      [3, `${d.email} is disabled`],
      [5, "Row 4 already gives app “A” access to one of these products"],
    ]);
  });

  it("refuses keys verify could never accept: a Portico-shaped key with a bad checksum, non-ASCII, too short; a foreign key then verifies", async () => {
    const good = generateKey(prefix);
    const typo = `${good.slice(0, -1)}${good.endsWith("A") ? "B" : "A"}`;
    const email = `legacy-${randomBytes(3).toString("hex")}@example.com`;
    const foreign = `sk_live_${randomBytes(16).toString("hex")}`;
    const report = await importKeys(t.db, admin, {
      csv: csvOf([
        ["Legacy A", email, "payments", "Standard", typo, "", ""],
        ["Legacy B", email, "payments", "Standard", "clé-secrète-ünïcode", "", ""],
        ["Legacy C", email, "payments", "Standard", "short", "", ""],
        ["Legacy D", email, "payments", "Standard", foreign, "", ""],
      ]),
      fileName: "legacy.csv",
      dryRun: false,
    });
    expect(report.refused.map((r) => [r.row, r.reason])).toEqual([
      [2, expect.stringContaining("checksum does not match")],
      [3, expect.stringContaining("printable ASCII")],
      [4, expect.stringContaining("printable ASCII")],
    ]);
    const viaImport = await verifyKey({ key: foreign, product: "payments" }, (h) => lookupKey(t.sql, h), { prefix, importedKeys: () => true });
    expect(viaImport.status).toBe(200);
  });

  it("refuses whole files it cannot read, with what to fix", async () => {
    const run = (csv: string) => refusal(importKeys(t.db, admin, { csv, fileName: "f.csv", dryRun: true }));
    expect(await run("app,consumer_email,products,plan,expires_at\nA,a@example.com,payments,Free,\n")).toMatch(/^invalid: The header lacks key or key_sha256/);
    expect(await run("app,email,products,plan,key,expires_at\n")).toMatch(/^invalid: Unknown column “email”/);
    expect(await run(`${HEADER.join(",")}\n`)).toMatch(/^invalid: The file has no rows/);
    expect(await run(`${HEADER.join(",")}\n"A,b\n`)).toMatch(/^invalid: The file is not valid CSV/);
    expect(await run("")).toMatch(/^invalid: The file is empty/);
    const many = `${HEADER.join(",")}\n${"A,a@example.com,payments,Free,k,,\n".repeat(IMPORT_MAX_ROWS + 1)}`;
    expect(await run(many)).toMatch(/^invalid: The file has more than 20,000 rows/);
  });

  it("the page's example file parses (its rows are judged, not the file)", async () => {
    const report = await importKeys(t.db, admin, { csv: IMPORT_EXAMPLE_CSV, fileName: "example.csv", dryRun: true });
    expect(report.rows).toBe(3);
    expect(report.imported.length + report.refused.length).toBe(3);
  });
});

describe("importKeys: who may", () => {
  it("admin only: owner, consumer and a disabled admin are refused and nothing is written", async () => {
    const csv = csvOf([["Mine", `who-${randomBytes(3).toString("hex")}@example.com`, "payments", "Free", generateKey(prefix), "", ""]]);
    const before = await writtenCounts();
    const consumer = userActor(await f.user());
    const disabledAdmin = { ...userActor(await f.user("admin")), disabled: true } as ReturnType<typeof userActor>;
    const afterUsers = await writtenCounts();
    for (const actor of [approver, consumer]) {
      expect(await refusal(importKeys(t.db, actor, { csv, fileName: "f.csv", dryRun: false }))).toBe("forbidden: Only an admin can do this.");
    }
    expect(await refusal(importKeys(t.db, disabledAdmin, { csv, fileName: "f.csv", dryRun: false }))).toMatch(/^forbidden: Your account is disabled/);
    expect(await writtenCounts()).toEqual(afterUsers);
    expect(afterUsers.keys).toBe(before.keys);
    const ok = await importKeys(t.db, admin, { csv, fileName: "f.csv", dryRun: false });
    expect(ok.imported).toHaveLength(1);
    const imported = await t.db.select().from(apiKeys).where(and(isNotNull(apiKeys.importedAt), inArray(apiKeys.start, [ok.imported[0]?.start ?? ""])));
    expect(imported.length).toBeGreaterThanOrEqual(1);
    const events = await t.db.select().from(auditEvents).where(and(eq(auditEvents.actorId, admin.id), like(auditEvents.action, "keys.%")));
    expect(events.length).toBeGreaterThanOrEqual(1);
  });
});
