import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb } from "@/db/connect";
import { dropDatabase, ensureDatabase } from "@/db/embedded";
import { emailMessages } from "@/db/schema";
import journal from "@/drizzle/meta/_journal.json";
import { enqueueEmail } from "@/lib/mail/enqueue-email";

/**
 * The image's worker and migrate commands (Dockerfile: `node dist/worker.mjs`, `node dist/migrate.mjs`),
 * built the way the image builds them (`npm run build:scripts`) and run with plain Node, no tsx:
 * what the image runs is checked here even where no container runtime is.
 */
const root = path.resolve(import.meta.dirname, "..");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "portico-entry-points-"));
const adminUrl = inject("adminDatabaseUrl");
const name = `portico_e_${randomBytes(6).toString("hex")}`;
const url = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
})();
const children: ChildProcess[] = [];

beforeAll(async () => {
  execFileSync("npx", ["tsx", "scripts/bundle-scripts.ts", out], { cwd: root, stdio: "pipe", timeout: 120_000 });
  await ensureDatabase(adminUrl, name);
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  fs.rmSync(out, { recursive: true, force: true });
  await dropDatabase(adminUrl, name);
});

/** The environment a container gets: no provider key, so mail goes to the outbox. */
const containerEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, NODE_ENV: "production" };
  delete env.RESEND_API_KEY;
  delete env.DATABASE_DIRECT_URL;
  return env;
};

describe("the image's entry points, bundled to plain Node", () => {
  it("dist/migrate.mjs, twice at once on a fresh database: both succeed, each migration applied once", async () => {
    const run = () => promisify(execFile)("node", [path.join(out, "migrate.mjs")], { cwd: root, env: containerEnv(), timeout: 120_000 });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.stdout).toContain("Migrations applied.");
    expect(b.stdout).toContain("Migrations applied.");
    const { sql } = createDb(url, { max: 1 });
    try {
      const [row] = await sql<{ n: number; distinct: number }[]>`select count(*)::int as n, count(distinct created_at)::int as distinct from drizzle.__drizzle_migrations`;
      expect(row).toEqual({ n: journal.entries.length, distinct: journal.entries.length });
    } finally {
      await sql.end();
    }
  }, 150_000);

  it("dist/worker.mjs delivers a queued email (rendered from its template) and stops cleanly on SIGTERM", async () => {
    const { db, sql } = createDb(url, { max: 1 });
    try {
      const id = await db.transaction((tx) =>
        enqueueEmail(tx, { to: "entry-points@example.com", template: "sign-in", props: { url: "http://localhost:3000/x", host: "localhost", expiresInMinutes: 10 } }),
      );
      const worker = spawn("node", [path.join(out, "worker.mjs")], { cwd: root, env: containerEnv(), stdio: ["ignore", "pipe", "pipe"] });
      children.push(worker);
      let log = "";
      worker.stdout?.on("data", (d) => (log += d));
      worker.stderr?.on("data", (d) => (log += d));

      let status: string | undefined;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
        [{ status } = { status: undefined }] = await db.select({ status: emailMessages.status }).from(emailMessages).where(eq(emailMessages.id, id));
        if (status === "sent" || status === "failed") break;
      }
      expect(status, log).toBe("sent");

      const exited = new Promise<number | null>((resolve) => worker.once("exit", (code) => resolve(code)));
      worker.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(log).toContain("Portico worker running.");
    } finally {
      await sql.end();
    }
  }, 60_000);
});
