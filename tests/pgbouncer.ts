import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";

export const PGBOUNCER = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].find((p) => fs.existsSync(p));

export type PgBouncer = {
  name: string;
  /** What pgbouncer printed (its log), for a failing test's report. */
  log: () => string;
  stop: () => Promise<void>;
  /** DATABASE_URL through the pooler (same user, password and database name as `databaseUrl`). */
  url: string;
  /** Transactions the pooler carried to the database so far (SHOW STATS on its admin console). */
  transactions: () => Promise<number>;
  dir: string;
};

/**
 * Debian's pgbouncer in transaction mode in front of `databaseUrl`, on a free port, as a plain
 * process with its files in a temporary directory. Clients are trusted (the test's loopback only);
 * pgbouncer logs in to PostgreSQL with the URL's own user and password.
 */
export async function startPgBouncer(databaseUrl: string, opts: { poolSize?: number } = {}): Promise<PgBouncer> {
  if (!PGBOUNCER) throw new Error("no pgbouncer");
  const target = new URL(databaseUrl);
  const dbName = target.pathname.slice(1);
  const user = decodeURIComponent(target.username);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portico-pgbouncer-"));
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  fs.writeFileSync(path.join(dir, "userlist.txt"), `"${user}" ""\n`, { mode: 0o600 });
  fs.writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    `[databases]
${dbName} = host=${target.hostname} port=${target.port || 5432} dbname=${dbName} user=${user} password=${quote(decodeURIComponent(target.password))}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${path.join(dir, "userlist.txt")}
admin_users = ${user}
pool_mode = transaction
default_pool_size = ${opts.poolSize ?? 20}
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
`,
    { mode: 0o600 },
  );
  const args = [path.join(dir, "pgbouncer.ini")];
  // pgbouncer will not run as root: it drops to `nobody`, who then owns its files (the ini holds the
  // database password; nobody else reads it).
  if (process.getuid?.() === 0) {
    args.unshift("-u", "nobody");
    for (const file of [dir, path.join(dir, "userlist.txt"), path.join(dir, "pgbouncer.ini")]) fs.chownSync(file, 65534, 65534);
  }
  const child = spawn(PGBOUNCER, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Never outlives the test process, even one that ends without calling stop.
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);
  void exited.then(() => process.off("exit", orphan));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  if (!(await listening(port))) {
    await stop();
    throw new Error(`pgbouncer did not start:\n${out}`);
  }
  const url = new URL(databaseUrl);
  url.port = String(port);
  url.hostname = "127.0.0.1";
  return {
    name: "pgbouncer",
    log: () => out,
    stop,
    url: url.toString(),
    dir,
    transactions: async () => {
      // The admin console speaks only the simple query protocol: pg's query without parameters.
      const admin = new Client({ host: "127.0.0.1", port, user, database: "pgbouncer" });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ database: string; total_xact_count: string }>("SHOW STATS");
        return Number(rows.find((r) => r.database === dbName)?.total_xact_count ?? 0);
      } finally {
        await admin.end();
      }
    },
  };
}

function freePort() {
  return new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function listening(port: number) {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
