import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from "../db/embedded";
import { migrateDatabase } from "../db/migrate";

/**
 * A PostgreSQL cluster of the caller's own (own data folder, own port), for fault tests that freeze
 * or stop it: never the shared test database, which other files use in parallel.
 */
export async function ownPostgres(label: string) {
  const dir = path.join(os.tmpdir(), `portico-fault-${label}-${randomBytes(4).toString("hex")}`);
  let server: EmbeddedServer = await startEmbeddedPostgres({ dir });
  const port = Number(new URL(server.url("postgres")).port);
  await ensureDatabase(server.url("postgres"), "portico");
  const url = server.url("portico");
  await migrateDatabase(url);
  let frozen: number[] = [];

  const postmasterPid = () => Number(fs.readFileSync(path.join(dir, "cluster", "postmaster.pid"), "utf8").split("\n")[0]);
  /** The postmaster and every process it forked (backends, checkpointer, walwriter…). */
  const clusterPids = () => {
    const root = postmasterPid();
    let children: number[] = [];
    try {
      children = execFileSync("pgrep", ["-P", String(root)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
    } catch {
      // pgrep exits 1 when there are none
    }
    return [root, ...children];
  };

  return {
    url,
    port,
    /** SIGSTOP to the whole cluster: connections stay open, nothing answers (as with a blocked port). */
    freeze() {
      frozen = clusterPids();
      for (const pid of frozen) process.kill(pid, "SIGSTOP");
      return frozen.length;
    },
    thaw() {
      for (const pid of frozen) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {
          // gone
        }
      }
      frozen = [];
    },
    /** A clean shutdown: connections are refused until start(). */
    stop: () => server.stop(),
    async start() {
      server = await startEmbeddedPostgres({ dir, port });
    },
    async destroy() {
      this.thaw();
      await server.stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
