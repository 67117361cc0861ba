import { parse } from "csv-parse/sync";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, Queryable, Tx } from "@/db/connect";
import { accessRequestProducts, accessRequests, apiKeys, apps, type PlanSnapshot, plans, productPlans, products, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { type Actor, assertCan } from "@/lib/auth/permissions";
import { normalizeEmailAddress } from "@/lib/auth/email-address";
import { DomainError } from "@/lib/errors";
import { LIVE_STATUSES, planSnapshot } from "@/lib/requests/create-request";
import { isSingleLine } from "@/lib/validation";
import { hashSecret } from "./key-format";
import { MAX_IMPORTED_KEY_LENGTH, isImportableKey } from "./verify-key";

/** Bounds of one import: about 250 bytes a row, so 20,000 rows fit in 5 MB. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 20_000;
/** Rows per INSERT statement: well under Postgres's 65,535 parameters for every table written. */
const CHUNK = 1000;

export const IMPORT_COLUMNS = ["app", "consumer_email", "products", "plan", "key", "key_sha256", "expires_at"] as const;
const REQUIRED_COLUMNS = ["app", "consumer_email", "products", "plan", "expires_at"] as const;

export const importKeysInput = z.object({
  csv: z.string({ error: "Choose a CSV file to import." }).min(1, "The file is empty. Choose a CSV file with a header row and one row per key."),
  fileName: z.string().trim().max(255).default("keys.csv"),
  dryRun: z.boolean().default(true),
});

/** A row that would be (or was) imported. Never holds the key or its hash. */
export type ImportedRow = {
  row: number;
  app: string;
  consumerEmail: string;
  products: string[];
  plan: string;
  start: string;
  expiresAt: Date | null;
  newConsumer: boolean;
  newApp: boolean;
};
export type RefusedRow = { row: number; app: string; consumerEmail: string; reason: string };
export type ImportReport = {
  dryRun: boolean;
  fileName: string;
  rows: number;
  imported: ImportedRow[];
  refused: RefusedRow[];
  newConsumers: number;
  newApps: number;
};

type Record_ = Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>;

/**
 * Set (import) keys made by another portal or gateway (issue 16): each valid CSV row becomes an
 * available access request (with the plan as it is now), its products, and a key whose SHA-256 is
 * the given one or the given key's. Consumers and apps are found (by email; by name for that
 * consumer) or created, without any email. A dry run writes nothing. The real run writes every
 * valid row in one transaction with one `keys.imported` audit event; refused rows are skipped and
 * reported with what to fix. Admins only. Keys are hashed on arrival and never stored or logged.
 */
export async function importKeys(
  db: Database,
  actor: Actor,
  input: z.input<typeof importKeysInput>,
  opts: { now?: Date; prefix?: string } = {},
): Promise<ImportReport> {
  const prefix = opts.prefix ?? "ptk";
  assertCan(actor, "keys.import", null);
  const parsedInput = importKeysInput.safeParse(input);
  if (!parsedInput.success) throw new DomainError("invalid", parsedInput.error.issues[0]?.message ?? "Choose a CSV file to import.");
  const { csv, fileName, dryRun } = parsedInput.data;
  if (Buffer.byteLength(csv) > IMPORT_MAX_BYTES) {
    throw new DomainError("invalid", `The file is over ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Split it into files of at most ${IMPORT_MAX_ROWS.toLocaleString("en")} rows.`);
  }
  const now = opts.now ?? new Date();
  const records = readCsv(csv);

  if (dryRun) return { dryRun, fileName, ...(await planImport(db, records, now, { prefix, actorId: actor.id })) };
  return db.transaction(async (tx) => {
    // One import at a time: two imports of the same file must not both pass the duplicate checks.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('keys:import'))`);
    const plan = await planImport(tx, records, now, { lockApps: true, prefix, actorId: actor.id });
    await writeImport(tx, actor, plan, now);
    await recordEvent(tx, {
      actorId: actor.id,
      action: "keys.imported",
      subjectType: "key",
      subjectId: `import:${crypto.randomUUID()}`,
      data: {
        fileName,
        rows: plan.rows,
        imported: plan.imported.length,
        refused: plan.refused.length,
        newConsumers: plan.newConsumers,
        newApps: plan.newApps,
      },
    });
    return { dryRun, fileName, rows: plan.rows, imported: plan.imported, refused: plan.refused, newConsumers: plan.newConsumers, newApps: plan.newApps };
  });
}

/** The CSV's rows as records with their line numbers; a file that is not CSV, or lacks columns, is refused whole. */
type CsvRow = { line: number; record: Record_; misaligned?: { fields: number; header: number } };

function readCsv(csv: string): CsvRow[] {
  let rows: { record: Record<string, string>; info: { lines: number; error?: { code?: string; record?: unknown[] } } }[];
  let header: string[] = [];
  try {
    rows = parse(csv, {
      bom: true,
      columns: (names: string[]) => (header = names.map((h) => h.trim().toLowerCase())),
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      max_record_size: 64 * 1024,
      to: IMPORT_MAX_ROWS + 1,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new DomainError("invalid", `The file is not valid CSV${line ? ` (near line ${line})` : ""}. Save it as CSV with a header row and try again.`);
  }
  if (rows.length > IMPORT_MAX_ROWS) {
    throw new DomainError("invalid", `The file has more than ${IMPORT_MAX_ROWS.toLocaleString("en")} rows. Split it and import each part.`);
  }
  const unknown = header.filter((h) => !(IMPORT_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0) {
    throw new DomainError("invalid", `Unknown column ${unknown.map((h) => `“${h.slice(0, 40)}”`).join(", ")}. The columns are ${IMPORT_COLUMNS.join(", ")}.`);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (!header.includes("key") && !header.includes("key_sha256")) missing.push("key or key_sha256" as never);
  if (missing.length > 0) throw new DomainError("invalid", `The header lacks ${missing.join(", ")}. The columns are ${IMPORT_COLUMNS.join(", ")}.`);
  if (rows.length === 0) throw new DomainError("invalid", "The file has no rows under its header. Add one row per key.");
  return rows.map((r) => {
    const fields = r.info.error?.code === "CSV_RECORD_INCONSISTENT_COLUMNS" ? (r.info.error.record?.length ?? 0) : null;
    return { line: r.info.lines, record: r.record as Record_, misaligned: fields === null ? undefined : { fields, header: header.length } };
  });
}

type Planned = ImportedRow & { keyHash: string; consumerId: string | null; appId: string | null; productIds: string[]; planId: string };
type Plan = { rows: number; imported: Planned[]; refused: RefusedRow[]; newConsumers: number; newApps: number; snapshots: Map<string, PlanSnapshot> };

const HEX_64 = /^[0-9a-fA-F]{64}$/;
const DATE_ONLY = z.iso.date();
const DATE_TIME = z.iso.datetime({ offset: true, local: false });

/** "2027-01-31" (00:00 UTC that day) or an ISO 8601 date-time with Z or an offset; null when empty. */
function parseExpiry(value: string): Date | null | "bad" {
  if (value === "") return null;
  if (DATE_ONLY.safeParse(value).success) return new Date(`${value}T00:00:00Z`);
  if (DATE_TIME.safeParse(value).success) return new Date(value);
  return "bad";
}

/**
 * What pages show of an imported key: 8 characters, as for issued keys, but never more than a third
 * of it, so a short foreign key (8 to 23 characters) is not stored, shown or sent in plaintext.
 */
export const importedKeyStart = (key: string) => key.slice(0, Math.min(8, Math.floor(key.length / 3)));

const short = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s);

/**
 * Validates every row against what the database holds, in a handful of queries (plans, products,
 * offers, consumers, their apps, those apps' live access, existing key hashes), never one per row.
 */
async function planImport(
  db: Queryable,
  records: CsvRow[],
  now: Date,
  opts: { lockApps?: boolean; prefix: string; actorId: string },
): Promise<Plan> {
  const { prefix, actorId } = opts;
  const refused: RefusedRow[] = [];
  type Shaped = { line: number; app: string; email: string; slugs: string[]; plan: string; keyHash: string; start: string; expiresAt: Date | null };
  const shaped: Shaped[] = [];
  for (const { line, record, misaligned } of records) {
    if (misaligned) {
      // Its values sit under the wrong columns (a key could be taken for a plan and echoed): none is shown.
      refused.push({
        row: line,
        app: "",
        consumerEmail: "",
        reason: `This row has ${misaligned.fields} fields but the header has ${misaligned.header}: check it for a missing or extra comma, and quote values that contain one.`,
      });
      continue;
    }
    const app = record.app ?? "";
    const rawEmail = record.consumer_email ?? "";
    const refuse = (reason: string) => refused.push({ row: line, app: short(app), consumerEmail: short(rawEmail), reason });
    let email: string;
    try {
      email = normalizeEmailAddress(rawEmail);
    } catch {
      refuse(rawEmail ? `consumer_email “${short(rawEmail)}” is not an email address: fix it, like ada@example.com.` : "consumer_email is empty: give the consumer's email address.");
      continue;
    }
    if (!app) {
      refuse("app is empty: give the app's name (it is created for the consumer if they have no app of that name).");
      continue;
    }
    if (app.length > 80 || !isSingleLine(app)) {
      refuse("app must be one line of at most 80 characters.");
      continue;
    }
    // Postgres text cannot hold NUL: one in a lookup would fail the whole file with an error.
    if (!isSingleLine(record.products ?? "")) {
      refuse("products has control characters: list product slugs separated by “;” or “|”.");
      continue;
    }
    if (!isSingleLine(record.plan ?? "")) {
      refuse("plan has control characters: give a plan's name as Admin → Plans shows it.");
      continue;
    }
    const slugs = [...new Set((record.products ?? "").split(/[;|]/).map((s) => s.trim()).filter(Boolean))];
    if (slugs.length === 0) {
      refuse("products is empty: list product slugs separated by “;” or “|”.");
      continue;
    }
    const planName = record.plan ?? "";
    if (!planName) {
      refuse("plan is empty: give a plan's name as Admin → Plans shows it.");
      continue;
    }
    const key = record.key ?? "";
    const given = record.key_sha256 ?? "";
    if (key && given) {
      refuse("Both key and key_sha256 are filled: keep one of them.");
      continue;
    }
    if (!key && !given) {
      refuse("Neither key nor key_sha256 is filled: give the key, or its SHA-256 in hex.");
      continue;
    }
    if (given && !HEX_64.test(given)) {
      refuse("key_sha256 is not a SHA-256 in hex: it must be 64 characters 0-9 and a-f.");
      continue;
    }
    if (key && (key.length > MAX_IMPORTED_KEY_LENGTH || /[\s\p{Cc}]/u.test(key))) {
      refuse(`key must be at most ${MAX_IMPORTED_KEY_LENGTH} characters without spaces or control characters.`);
      continue;
    }
    if (key && !isImportableKey(key, prefix)) {
      refuse(
        String(key).startsWith(`${prefix}_`)
          ? "key looks like a Portico key but its checksum does not match: check it for a typo."
          : "key must be 8 to 512 printable ASCII characters (letters, digits, punctuation): verify could never accept it.",
      );
      continue;
    }
    const expiresAt = parseExpiry(record.expires_at ?? "");
    if (expiresAt === "bad") {
      refuse(`expires_at “${short(record.expires_at ?? "")}” is not a date: use ISO 8601, like 2027-01-31 or 2027-01-31T12:00:00Z, or leave it empty for no expiry.`);
      continue;
    }
    if (expiresAt && expiresAt <= now) {
      refuse(`expires_at ${record.expires_at} is in the past: give a later date, or leave the key out.`);
      continue;
    }
    shaped.push({
      line,
      app,
      email,
      slugs,
      plan: planName,
      keyHash: key ? hashSecret(key) : given.toLowerCase(),
      start: key ? importedKeyStart(key) : "imported",
      expiresAt,
    });
  }

  const slugs = [...new Set(shaped.flatMap((s) => s.slugs))];
  const planNames = [...new Set(shaped.map((s) => s.plan))];
  const emails = [...new Set(shaped.map((s) => s.email))];
  const hashes = [...new Set(shaped.map((s) => s.keyHash))];
  const [productRows, planRows, userRows, existingHashes] = await Promise.all([
    slugs.length ? db.select({ id: products.id, slug: products.slug, status: products.status, authMethod: products.authMethod }).from(products).where(inArray(products.slug, slugs)) : [],
    planNames.length ? db.select({ id: plans.id, name: plans.name }).from(plans).where(inArray(plans.name, planNames)) : [],
    emails.length
      ? db.select({ id: users.id, email: users.email, kind: users.kind, disabledAt: users.disabledAt }).from(users).where(inArray(users.email, emails))
      : [],
    hashes.length ? db.select({ h: apiKeys.keyHash }).from(apiKeys).where(inArray(apiKeys.keyHash, hashes)) : [],
  ]);
  const productBySlug = new Map(productRows.map((p) => [p.slug, p]));
  const planByName = new Map(planRows.map((p) => [p.name, p]));
  const userByEmail = new Map(userRows.map((u) => [u.email, u]));
  const known = new Set(existingHashes.map((r) => r.h));
  const offers = planRows.length
    ? await db.select().from(productPlans).where(inArray(productPlans.planId, planRows.map((p) => p.id)))
    : [];
  const offered = new Set(offers.map((o) => `${o.planId}:${o.productId}`));
  const ownerIds = userRows.map((u) => u.id);
  const appRows = ownerIds.length
    ? await db
        .select({ id: apps.id, ownerId: apps.ownerId, name: apps.name })
        .from(apps)
        .where(and(inArray(apps.ownerId, ownerIds), isNull(apps.deletedAt)))
        .orderBy(apps.createdAt)
    : [];
  const appByOwnerName = new Map<string, string>();
  for (const a of appRows) if (!appByOwnerName.has(`${a.ownerId}:${a.name}`)) appByOwnerName.set(`${a.ownerId}:${a.name}`, a.id);
  const appIds = [...new Set(appByOwnerName.values())].sort();
  // The same guard as assertNoLiveAccess (a per-app lock, then the app's live access), for every app at once.
  if (opts.lockApps && appIds.length) {
    for (let i = 0; i < appIds.length; i += CHUNK) {
      const ids = appIds.slice(i, i + CHUNK);
      await db.execute(sql`select pg_advisory_xact_lock(hashtext('app:' || x)) from unnest(${sql`array[${sql.join(ids.map((id) => sql`${id}`), sql`, `)}]`}::text[]) as x`);
    }
  }
  const live = new Map<string, string>();
  for (let i = 0; i < appIds.length; i += CHUNK) {
    const ids = appIds.slice(i, i + CHUNK);
    const rows = await db
      .select({ appId: accessRequests.appId, productId: accessRequestProducts.productId, status: accessRequests.status })
      .from(accessRequests)
      .innerJoin(accessRequestProducts, eq(accessRequestProducts.requestId, accessRequests.id))
      .where(and(inArray(accessRequests.appId, ids), inArray(accessRequests.status, [...LIVE_STATUSES])));
    for (const r of rows) live.set(`${r.appId}:${r.productId}`, r.status);
  }

  const seenHash = new Map<string, number>();
  // Live access that earlier rows of this file give, by consumer email + app name + product.
  const grantedInFile = new Map<string, number>();
  const newConsumers = new Set<string>();
  const newApps = new Set<string>();
  const imported: Planned[] = [];
  for (const s of shaped) {
    const refuse = (reason: string) => refused.push({ row: s.line, app: short(s.app), consumerEmail: s.email, reason });
    const unknownSlug = s.slugs.find((slug) => !productBySlug.has(slug));
    if (unknownSlug) {
      refuse(`Unknown product “${short(unknownSlug)}”: use a product's slug as Admin → Products shows it.`);
      continue;
    }
    const rowProducts = s.slugs.map((slug) => productBySlug.get(slug)).filter((p) => p !== undefined);
    const archived = rowProducts.find((p) => p.status === "archived");
    if (archived) {
      refuse(`Product “${archived.slug}” is archived: its keys would not work. Leave it out of the row.`);
      continue;
    }
    const oauth = rowProducts.find((p) => p.authMethod !== "api_key");
    if (oauth) {
      refuse(`Product “${oauth.slug}” uses OAuth client credentials, not API keys: leave it out of the row.`);
      continue;
    }
    const plan = planByName.get(s.plan);
    if (!plan) {
      refuse(`Unknown plan “${short(s.plan)}”: use a plan's name as Admin → Plans shows it.`);
      continue;
    }
    const notOffered = rowProducts.find((p) => !offered.has(`${plan.id}:${p.id}`));
    if (notOffered) {
      refuse(`Plan “${plan.name}” is not offered for “${notOffered.slug}”: pick one of that product's plans.`);
      continue;
    }
    const firstRow = seenHash.get(s.keyHash);
    if (firstRow !== undefined) {
      refuse(`The same key as row ${firstRow}: each key is imported once. Remove one of the rows.`);
      continue;
    }
    seenHash.set(s.keyHash, s.line);
    if (known.has(s.keyHash)) {
      refuse("This key is already in Portico: check it on Admin → Keys, and leave it out of the file.");
      continue;
    }
    const user = userByEmail.get(s.email);
    if (user && user.kind !== "person") {
      refuse(`${s.email} is a portal API access key's identity, not a person: use the consumer's own address.`);
      continue;
    }
    if (user && user.id === actorId) {
      refuse("This is your own address: you cannot give yourself access. Ask another admin to import this row.");
      continue;
    }
    if (user?.disabledAt) {
      refuse(`${s.email} is disabled: enable the account in Admin → Users first, or leave the row out.`);
      continue;
    }
    const appId = user ? (appByOwnerName.get(`${user.id}:${s.app}`) ?? null) : null;
    const liveProduct = appId ? rowProducts.find((p) => live.has(`${appId}:${p.id}`)) : undefined;
    if (appId && liveProduct) {
      const status = live.get(`${appId}:${liveProduct.id}`);
      refuse(`App “${short(s.app)}” already has ${status === "pending" ? "a pending request" : "access"} for “${liveProduct.slug}”: revoke or end it first, or leave the row out.`);
      continue;
    }
    const earlier = rowProducts.map((p) => grantedInFile.get(`${s.email}:${s.app}:${p.id}`)).find((n) => n !== undefined);
    if (earlier !== undefined) {
      refuse(`Row ${earlier} already gives app “${short(s.app)}” access to one of these products: put both keys' products in one row, or leave one out.`);
      continue;
    }
    for (const p of rowProducts) grantedInFile.set(`${s.email}:${s.app}:${p.id}`, s.line);
    const newConsumer = !user && !newConsumers.has(s.email);
    if (!user) newConsumers.add(s.email);
    const appKey = `${s.email}:${s.app}`;
    const newApp = !appId && !newApps.has(appKey);
    if (!appId) newApps.add(appKey);
    imported.push({
      row: s.line,
      app: s.app,
      consumerEmail: s.email,
      products: s.slugs,
      plan: plan.name,
      start: s.start,
      expiresAt: s.expiresAt,
      newConsumer,
      newApp,
      keyHash: s.keyHash,
      consumerId: user?.id ?? null,
      appId,
      productIds: rowProducts.map((p) => p.id),
      planId: plan.id,
    });
  }
  refused.sort((a, b) => a.row - b.row);
  const snapshots = new Map<string, PlanSnapshot>();
  for (const planId of new Set(imported.map((r) => r.planId))) snapshots.set(planId, await planSnapshot(db, planId));
  return { rows: records.length, imported, refused, newConsumers: newConsumers.size, newApps: newApps.size, snapshots };
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/** Consumers, apps, requests, their products and keys, in multi-row INSERTs of CHUNK rows. */
async function writeImport(tx: Tx, actor: Actor, plan: Plan, now: Date) {
  const consumerIds = new Map<string, string>();
  for (const r of plan.imported) if (r.consumerId) consumerIds.set(r.consumerEmail, r.consumerId);
  const newEmails = [...new Set(plan.imported.filter((r) => !r.consumerId).map((r) => r.consumerEmail))];
  await insertChunked(newEmails, async (chunk) => {
    // A consumer, as a sign-up would make them; no email is sent. They sign in with this address later.
    const rows = await tx
      .insert(users)
      .values(chunk.map((email) => ({ email, role: "consumer" as const })))
      .onConflictDoUpdate({ target: users.email, set: { email: sql`excluded.email` } })
      .returning({ id: users.id, email: users.email });
    for (const u of rows) consumerIds.set(u.email, u.id);
  });

  const appIds = new Map<string, string>();
  const newApps: { id: string; ownerId: string; name: string }[] = [];
  for (const r of plan.imported) {
    const k = `${r.consumerEmail}:${r.app}`;
    if (r.appId) appIds.set(k, r.appId);
    else if (!appIds.has(k)) {
      const ownerId = consumerIds.get(r.consumerEmail);
      if (!ownerId) throw new Error("import: consumer id missing");
      const id = crypto.randomUUID();
      appIds.set(k, id);
      newApps.push({ id, ownerId, name: r.app });
    }
  }
  await insertChunked(newApps, (chunk) => tx.insert(apps).values(chunk.map((a) => ({ ...a, description: "Imported", createdAt: now, updatedAt: now }))));

  const written = plan.imported.map((r) => {
    const appId = appIds.get(`${r.consumerEmail}:${r.app}`);
    const requesterId = consumerIds.get(r.consumerEmail);
    const snapshot = plan.snapshots.get(r.planId);
    if (!appId || !requesterId || !snapshot) throw new Error("import: row without app, consumer or plan");
    return { r, requestId: crypto.randomUUID(), appId, requesterId, snapshot };
  });
  await insertChunked(written, (chunk) =>
    tx.insert(accessRequests).values(
      chunk.map(({ r, requestId, appId, requesterId, snapshot }) => ({
        id: requestId,
        requesterId,
        appId,
        planId: r.planId,
        status: "available" as const,
        reason: "Imported from another portal or gateway (Admin → Keys → Import).",
        plan: snapshot,
        startsAt: now,
        durationDays: r.expiresAt ? Math.max(1, Math.ceil((+r.expiresAt - +now) / 86_400_000)) : null,
        decidedAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    ),
  );
  const parts = written.flatMap(({ r, requestId }) => r.productIds.map((productId) => ({ requestId, productId, approvedById: actor.id, approvedAt: now })));
  await insertChunked(parts, (chunk) => tx.insert(accessRequestProducts).values(chunk));
  await insertChunked(written, (chunk) =>
    tx.insert(apiKeys).values(
      chunk.map(({ r, requestId, appId }) => ({
        keyHash: r.keyHash,
        start: r.start,
        appId,
        requestId,
        createdAt: now,
        validFrom: now,
        expiresAt: r.expiresAt,
        importedAt: now,
      })),
    ),
  );
}

/** The example the import page offers for download. */
export const IMPORT_EXAMPLE_CSV = [
  IMPORT_COLUMNS.join(","),
  "Billing service,ada@example.com,payments,Standard,legacy_8f1c2d3e4b5a69788796a5b4c3d2e1f0,,2027-12-31",
  "Billing service,ada@example.com,weather|geocoding,Standard,,9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,2027-06-30T12:00:00Z",
  "Reporting,grace@example.com,payments,Free,gk_live_51Hx2kLmNoPqRsTuVwXyZ,,",
].join("\n");
