import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import journal from "@/drizzle/meta/_journal.json";
import { dropDatabase, ensureDatabase } from "./embedded";
import { MIGRATION_LOCK_KEY, migrateDatabase } from "./migrate";

const adminUrl = inject("adminDatabaseUrl");
const urlOf = (name: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/** Every table, column and type in the public schema: what "the schema is complete" compares. */
async function shape(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const columns = await sql<{ t: string }[]>`
      select table_name || '.' || column_name || ':' || data_type as t from information_schema.columns
      where table_schema = 'public' order by 1`;
    const types = await sql<{ t: string }[]>`
      select t.typname as t from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = 'public' and t.typtype = 'e' order by 1`;
    const indexes = await sql<{ t: string }[]>`select indexname as t from pg_indexes where schemaname = 'public' order by 1`;
    return { columns: columns.map((r) => r.t), types: types.map((r) => r.t), indexes: indexes.map((r) => r.t) };
  } finally {
    await sql.end();
  }
}

describe("migrations when several instances start together", () => {
  const name = `portico_m_${randomBytes(6).toString("hex")}`;
  afterAll(() => dropDatabase(adminUrl, name));

  it("4 concurrent migrateDatabase() on a fresh database: all resolve, each migration applied once, the schema complete", async () => {
    await ensureDatabase(adminUrl, name);
    const url = urlOf(name);

    const results = await Promise.allSettled([1, 2, 3, 4].map(() => migrateDatabase(url)));
    expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok", "ok", "ok"]);

    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const applied = await sql<{ created_at: string; n: number }[]>`
        select created_at::text, count(*)::int as n from drizzle.__drizzle_migrations group by created_at order by created_at`;
      expect(applied.map((r) => [Number(r.created_at), r.n])).toEqual(journal.entries.map((e) => [e.when, 1]));
      const worker = await sql<{ n: number; distinct: number }[]>`
        select count(*)::int as n, count(distinct id)::int as distinct from graphile_worker.migrations`;
      expect(worker[0]?.n).toBeGreaterThan(0);
      expect(worker[0]?.n).toBe(worker[0]?.distinct);
      // No advisory lock left behind by any of the four.
      const locks = await sql`select 1 from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`;
      expect(locks.length).toBe(0);
    } finally {
      await sql.end();
    }
    // The same tables, columns, enums and indexes as the template every other test file copies.
    expect(await shape(url)).toEqual(await shape(urlOf(inject("templateDatabase"))));
  });

  it("run again on a migrated database: nothing to do, nothing applied twice", async () => {
    const url = urlOf(name);
    await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(row?.n).toBe(journal.entries.length);
    } finally {
      await sql.end();
    }
  });
});

describe("a migrator that holds the lock and never lets go (hung, or its host gone with the connection half-open)", () => {
  const name = `portico_m_${randomBytes(6).toString("hex")}`;
  afterAll(() => dropDatabase(adminUrl, name));

  it("another starter gives up after its wait limit with a message saying what to do, instead of waiting forever", async () => {
    await ensureDatabase(adminUrl, name, inject("templateDatabase"));
    const url = urlOf(name);
    const holder = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await holder`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
      const started = Date.now();
      const outcome = await Promise.race([
        migrateDatabase(url, { lockWaitMs: 500 }).then(
          () => "migrated",
          (error: unknown) => String(error),
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve("still waiting after 5 s"), 5000)),
      ]);
      expect(outcome).toMatch(/Another instance has held the migration lock for more than 0\.5 s/);
      expect(outcome).toMatch(/portico-migrate/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await holder.end();
    }
    // once the holder is gone, a starter goes ahead
    await migrateDatabase(url, { lockWaitMs: 500 });
  });
});
