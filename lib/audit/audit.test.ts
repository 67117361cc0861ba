import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { withAuditContext } from "./context";
import { auditExportQuery, listAudit, AUDIT_PAGE } from "./queries";
import { recordEvent } from "./record-event";

const t = await isolatedDatabase();
const admin: Actor = { kind: "user", id: "audit-test-admin", role: "admin", disabled: false };

describe("the audit log", () => {
  it("refuses update, delete and truncate at the database, whoever asks", async () => {
    await recordEvent(t.db, { actorId: null, actorType: "system", action: "test.made", subjectType: "request", subjectId: "r1" });
    for (const statement of [
      sql`update audit_events set comment = 'rewritten'`,
      sql`delete from audit_events`,
      sql`truncate audit_events`,
    ]) {
      const error = await t.db.execute(statement).then(
        () => null,
        (e: unknown) => e as Error & { cause?: Error },
      );
      expect(error?.cause?.message).toMatch(/audit_events is append-only/);
    }
    const rows = await t.sql`select comment from audit_events where action = 'test.made'`;
    expect(rows).toEqual([{ comment: null }]);
  });

  it("filters, searches and pages newest first by keyset; the export query returns the same view", async () => {
    for (let i = 0; i < AUDIT_PAGE + 5; i++) {
      await recordEvent(t.db, { actorId: null, action: i % 2 ? "key.revoked" : "key.created", subjectType: "key", subjectId: `k${i}`, comment: i === 7 ? "needle in the log" : null });
    }
    const first = await listAudit(t.db, { subjectType: "key" });
    expect(first.rows).toHaveLength(AUDIT_PAGE);
    expect(first.rows[0]?.subjectId).toBe(`k${AUDIT_PAGE + 4}`);
    const second = await listAudit(t.db, { subjectType: "key", before: first.nextBefore });
    expect(second.rows).toHaveLength(5);
    expect(second.nextBefore).toBeUndefined();
    expect((await listAudit(t.db, { q: "needle" })).rows.map((r) => r.subjectId)).toEqual(["k7"]);
    expect((await listAudit(t.db, { action: "key.revoked" })).rows.every((r) => r.action === "key.revoked")).toBe(true);
    expect((await listAudit(t.db, { subjectType: "key", subjectId: "k3" })).rows).toHaveLength(1);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listAudit(t.db, { from: today, to: today, subjectType: "key" })).rows).toHaveLength(AUDIT_PAGE);
    expect((await listAudit(t.db, { to: "2000-01-01" })).rows).toHaveLength(0);

    const query = auditExportQuery(t.db, admin, { action: "key.created" });
    let exported = 0;
    let csv = "";
    for await (const batch of t.sql.unsafe(query.sql, query.params as never[]).cursor(7)) {
      exported += batch.length;
      csv += stringify(batch.map((r) => [r.id, r.action, r.subject_id]));
    }
    expect(exported).toBe(Math.ceil((AUDIT_PAGE + 5) / 2));
    const parsed = parse(csv) as string[][];
    expect(parsed.every((row) => row[1] === "key.created")).toBe(true);
  });

  it("free-text search matches action, subject and comment, and can use the trigram index", async () => {
    await recordEvent(t.db, { actorId: null, action: "plan.updated", subjectType: "plan", subjectId: "plan-haystack", comment: "Raised the QUOTA" });
    expect((await listAudit(t.db, { q: "quota" })).rows.map((r) => r.subjectId)).toEqual(["plan-haystack"]);
    expect((await listAudit(t.db, { q: "haystack" })).rows.map((r) => r.action)).toEqual(["plan.updated"]);
    expect((await listAudit(t.db, { q: "plan.upd" })).rows.map((r) => r.subjectId)).toEqual(["plan-haystack"]);
    // A tiny test table is scanned anyway; with scans priced out, the plan shows whether the query's
    // expression is the one indexed (audit_events_search_trgm_idx), so a million events are not read.
    const query = auditExportQuery(t.db, admin, { q: "quota" });
    const plan = await t.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      await tx`set local enable_indexscan = off`;
      return tx.unsafe(`explain ${query.sql}`, query.params as never[]);
    });
    expect(plan.map((r) => String(r["QUERY PLAN"])).join("\n")).toContain("audit_events_search_trgm_idx");
  });

  it("records where an action came from", async () => {
    await withAuditContext({ ip: "203.0.113.7" }, () =>
      recordEvent(t.db, { actorId: null, action: "test.located", subjectType: "user", subjectId: "u1" }),
    );
    expect((await listAudit(t.db, { action: "test.located" })).rows[0]?.ip).toBe("203.0.113.7");
  });
});
