/**
 * Runs a command (next dev, next start, playwright…) against Portico's database.
 *
 *   DATABASE_URL set   → migrate that database, then run the command (seed only via `npm run db:seed`).
 *   DATABASE_URL unset → start the embedded PostgreSQL in .data/, create + migrate + seed the demo
 *                        database on first run, keep an AUTH_SECRET in .data/, run the command,
 *                        and stop Postgres when the command ends (Ctrl-C included).
 *
 * Usage: tsx scripts/with-db.ts [--data DIR] [--database NAME] [--fresh] [--pg-set name=value]… -- command args…
 * (`--pg-set` is a PostgreSQL setting for this start of the embedded server, e.g. shared_buffers=1GB.)
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createDb } from "../db/connect";
import { dropDatabase, ensureDatabase, startEmbeddedPostgres } from "../db/embedded";
import { migrateDatabase } from "../db/migrate";
import { seedDemo } from "../db/seed";

function parseArgs(argv: string[]) {
  const sep = argv.indexOf("--");
  const own = sep === -1 ? [] : argv.slice(0, sep);
  const command = sep === -1 ? argv : argv.slice(sep + 1);
  const opt = (name: string) => {
    const i = own.indexOf(name);
    return i === -1 ? undefined : own[i + 1];
  };
  return {
    dataDir: opt("--data") ?? ".data/pg",
    database: opt("--database") ?? "portico",
    fresh: own.includes("--fresh"),
    pgSettings: Object.fromEntries(
      own.flatMap((arg, i) => {
        if (arg !== "--pg-set") return [];
        const m = /^([\w.]+)=(.+)$/.exec(own[i + 1] ?? "");
        if (!m) throw new Error(`with-db: --pg-set wants name=value, not ${JSON.stringify(own[i + 1])}`);
        return [[m[1], m[2]]];
      }),
    ) as Record<string, string>,
    command,
  };
}

/** The port a `next dev` / `next start` command line asks for (-p 4000, --port=4000), if any. */
function portOf(command: readonly string[]) {
  for (const [i, arg] of command.entries()) {
    if (arg === "-p" || arg === "--port") return command[i + 1];
    const inline = /^(?:-p|--port)=(\d+)$/.exec(arg);
    if (inline) return inline[1];
  }
  return undefined;
}

function authSecret(dataRoot: string) {
  const file = path.join(dataRoot, "auth-secret");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataRoot, { recursive: true });
    fs.writeFileSync(file, randomBytes(33).toString("base64"), { mode: 0o600 });
  }
  return fs.readFileSync(file, "utf8").trim();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.command.length === 0) throw new Error("with-db: no command given");
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  let stopDb: () => Promise<void> = async () => {};

  if (process.env.DATABASE_URL) {
    if (Object.keys(args.pgSettings).length > 0) console.warn("with-db: --pg-set applies to the embedded PostgreSQL only; DATABASE_URL is set, so it is ignored.");
    // Through PgBouncer in transaction mode the migration lock needs the direct connection (db/migrate.ts).
    await migrateDatabase(process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL, { log: console.log });
  } else {
    const started = Date.now();
    console.log(`▸ Starting embedded PostgreSQL (data in ${args.dataDir}) …`);
    const server = await startEmbeddedPostgres({ dir: args.dataDir, log: () => {}, settings: args.pgSettings });
    stopDb = server.stop;
    if (args.fresh) await dropDatabase(server.url("postgres"), args.database);
    await ensureDatabase(server.url("postgres"), args.database);
    const url = server.url(args.database);
    await migrateDatabase(url);
    const { db, sql } = createDb(url, { max: 1 });
    const { seeded } = await seedDemo(db);
    await sql.end();
    console.log(`▸ PostgreSQL ready in ${Date.now() - started} ms${seeded ? " (demo data seeded)" : ""}`);
    childEnv.DATABASE_URL = url;
    // Browser tests set up state through lib/ against the same database.
    fs.writeFileSync(path.join(args.dataDir, "database-url"), url, { mode: 0o600 });
    childEnv.AUTH_SECRET ??= authSecret(path.dirname(path.resolve(args.dataDir)));
  }

  // Emails (sign-in links, claim links) point at AUTH_URL, default http://localhost:3000. A server
  // started on another port (`npm run dev -- -p 4000`, or PORT=4000) gets links to itself instead.
  const port = portOf(args.command) ?? process.env.PORT;
  if (!childEnv.AUTH_URL && port && port !== "3000") childEnv.AUTH_URL = `http://localhost:${port}`;

  const [cmd, ...rest] = args.command as [string, ...string[]];
  const child = spawn(cmd, rest, { stdio: "inherit", env: childEnv, shell: false });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  const code: number = await new Promise((resolve) =>
    child.on("exit", (c, s) => resolve(c ?? (s === "SIGINT" ? 130 : 1))),
  );
  await stopDb();
  process.exit(code);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
