import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * What the deployment files promise (docs/deploy.md), checked without a container runtime: compose.yaml
 * against the Compose Specification's JSON schema (as shipped in the dclint package), the promises of
 * the Dockerfile and compose.yaml, and NGINX's configuration with Debian's nginx. Where a Docker
 * daemon answers, the image is built and the stack started; elsewhere that test is skipped, saying why.
 */
const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  healthcheck?: { disable?: boolean };
  volumes?: string[];
  ports?: string[];
};
type Compose = { services: Record<string, Service> };

const composeText = read("compose.yaml");
const compose = parse(composeText, { merge: true }) as Compose;

function composeValidator() {
  const schema = JSON.parse(fs.readFileSync(path.join(root, "node_modules/dclint/schemas/compose.schema.json"), "utf8"));
  // Draft-07, Ajv's default; the schema names it by an https URL Ajv does not register.
  expect(schema.$schema).toMatch(/draft-07/);
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe("compose.yaml", () => {
  const validate = composeValidator();

  it("is valid against the Compose Specification's JSON schema", () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema check catches mistakes (a bad depends_on condition, an unknown service key)", () => {
    const broken = structuredClone(compose);
    const webA = broken.services["web-a"];
    if (!webA?.depends_on?.migrate) throw new Error("web-a must depend on migrate");
    webA.depends_on.migrate.condition = "whenever";
    expect(validate(broken)).toBe(false);
    const unknownKey = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    (unknownKey.services.worker as Record<string, unknown>).replicas_please = 2;
    expect(validate(unknownKey)).toBe(false);
  });

  it("two web instances with PORTICO_WORKER=off, the verify listener and one trusted proxy, started after the migrations", () => {
    const webs = Object.entries(compose.services).filter(([, s]) => s.command === undefined && s.image?.startsWith("portico:"));
    expect(webs.map(([name]) => name).sort()).toEqual(["web-a", "web-b"]);
    for (const [, web] of webs) {
      expect(web.environment).toMatchObject({ PORTICO_WORKER: "off", PORTICO_VERIFY_PORT: "3001", PORTICO_VERIFY_HOST: "0.0.0.0", PORTICO_TRUSTED_PROXIES: "1" });
      expect(web.depends_on?.migrate).toEqual({ condition: "service_completed_successfully" });
      expect(web.healthcheck?.disable).not.toBe(true);
    }
  });

  it("one worker and a one-shot migrate service, both from the same image", () => {
    const { worker, migrate } = compose.services;
    expect(worker?.command).toEqual(["node", "dist/worker.mjs"]);
    expect(worker?.environment?.PORTICO_WORKER).toBeUndefined();
    expect(worker?.depends_on?.migrate).toEqual({ condition: "service_completed_successfully" });
    expect(migrate?.command).toEqual(["node", "dist/migrate.mjs"]);
    expect(migrate?.restart).toBe("no");
    expect(migrate?.depends_on?.postgres).toEqual({ condition: "service_healthy" });
    const images = new Set(["web-a", "web-b", "worker", "migrate"].map((s) => compose.services[s]?.image));
    expect(images.size).toBe(1);
  });

  it("PostgreSQL with a health check; secrets required from the environment, never written in the file", () => {
    expect(compose.services.postgres?.healthcheck).toBeDefined();
    for (const name of ["POSTGRES_PASSWORD", "AUTH_SECRET", "AUTH_URL"]) {
      expect(composeText).toMatch(new RegExp(`\\$\\{${name}:\\?`));
    }
    const env = compose.services["web-a"]?.environment ?? {};
    expect(env.AUTH_SECRET).toMatch(/^\$\{AUTH_SECRET:\?/);
    expect(env.DATABASE_URL).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
  });

  it("NGINX in front: its config and the identity include exist, and both upstreams list both web instances", () => {
    const nginx = compose.services.nginx;
    const mounts = (nginx?.volumes ?? []).map((v) => v.split(":")[0] ?? "");
    expect(mounts).toEqual(["./deploy/nginx/nginx.conf", "./examples/nginx/portico-identity.conf"]);
    for (const mount of mounts) expect(fs.existsSync(path.join(root, mount))).toBe(true);
    expect(nginx?.depends_on).toMatchObject({ "web-a": { condition: "service_healthy" }, "web-b": { condition: "service_healthy" } });

    const conf = read("deploy/nginx/nginx.conf");
    const upstream = (name: string) => {
      const body = new RegExp(`upstream ${name} \\{([^}]*)\\}`).exec(conf)?.[1] ?? "";
      return [...body.matchAll(/server ([\w.-]+:\d+)/g)].map((m) => m[1]);
    };
    expect(upstream("portico_web")).toEqual(["web-a:3000", "web-b:3000"]);
    expect(upstream("portico_verify")).toEqual(["web-a:3001", "web-b:3001"]);
    expect(conf).toMatch(/auth_request \/_portico\/verify\//);
    expect(conf).toMatch(/proxy_pass http:\/\/portico_verify\/api\/v1\/keys\/verify/);
  });

  const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p));
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!NGINX)("deploy/nginx/nginx.conf passes `nginx -t` (compose's service names pointed at 127.0.0.1)", () => {
    if (!NGINX) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portico-deploy-nginx-"));
    dirs.push(dir);
    const conf = read("deploy/nginx/nginx.conf")
      .replace(/\b(web-a|web-b|demo-api)(?=:\d)/g, "127.0.0.1")
      .replace("error_log /dev/stderr warn;", `error_log ${dir}/error.log warn;`)
      .replace("access_log /dev/stdout;", "access_log off;")
      .replace("pid /tmp/nginx.pid;", `pid ${dir}/nginx.pid;${process.getuid?.() === 0 ? "\nuser root;" : ""}`)
      .replace("http {", `http {\n  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`);
    fs.writeFileSync(path.join(dir, "nginx.conf"), conf);
    fs.copyFileSync(path.join(root, "examples/nginx/portico-identity.conf"), path.join(dir, "portico-identity.conf"));
    const result = spawnSync(NGINX, ["-t", "-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")], { encoding: "utf8" });
    expect(result.stderr).toMatch(/syntax is ok/);
    expect(result.status, result.stderr).toBe(0);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runner = stages.at(-1) ?? "";

  it("multi-stage: deps → build → runner", () => {
    expect(stages.map((s) => /^\S+ AS (\S+)/.exec(s)?.[1])).toEqual(["deps", "build", "runner"]);
  });

  it("builds Next's standalone output and the worker and migration runner as plain Node files", () => {
    const build = stages[1] ?? "";
    expect(build).toMatch(/PORTICO_STANDALONE=1/);
    expect(build).toMatch(/next build/);
    expect(build).toMatch(/npm run -s build:scripts/);
    expect(JSON.parse(read("package.json")).scripts["build:scripts"]).toBe("tsx scripts/bundle-scripts.ts");
    expect(read("scripts/bundle-scripts.ts")).toMatch(/worker: "scripts\/worker\.ts", migrate: "scripts\/migrate\.ts"/);
    for (const copied of [".next/standalone", ".next/static", "/app/dist", "/app/drizzle"]) expect(runner).toContain(copied);
  });

  it("the runner runs as a non-root user, with a HEALTHCHECK on /api/health and the web server by default", () => {
    const users = [...runner.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(runner).toMatch(/^HEALTHCHECK [^\n]*(\\\n[^\n]*)*\/api\/health/m);
    expect(runner).toMatch(/^CMD \["node", "server\.js"\]$/m);
  });

  it(".dockerignore keeps dependencies, builds, databases and secrets of this machine out of the image", () => {
    const ignored = read(".dockerignore").split("\n").map((l) => l.trim());
    for (const entry of ["node_modules", ".next", ".data", ".env", ".env.*", ".git"]) expect(ignored).toContain(entry);
  });

  it("next.config.mjs asks for standalone output only when PORTICO_STANDALONE=1 (npm start and the e2e suite use `next start`)", async () => {
    const load = async (value: string | undefined) => {
      const before = process.env.PORTICO_STANDALONE;
      if (value === undefined) delete process.env.PORTICO_STANDALONE;
      else process.env.PORTICO_STANDALONE = value;
      try {
        const url = `${pathToFileURL(path.join(root, "next.config.mjs")).href}?standalone=${value ?? "unset"}`;
        const mod = (await import(/* @vite-ignore */ url)) as { default: { output?: string } };
        return mod.default.output;
      } finally {
        if (before === undefined) delete process.env.PORTICO_STANDALONE;
        else process.env.PORTICO_STANDALONE = before;
      }
    };
    expect(await load(undefined)).toBeUndefined();
    expect(await load("1")).toBe("standalone");
  });
});

/** Why the image cannot be built and the stack started here, or null when it can. */
function dockerUnavailable(): string | null {
  const docker = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8", timeout: 10_000 });
  if (docker.error) return `no docker command (${docker.error.message})`;
  if (docker.status !== 0) return `the docker daemon does not answer: ${(docker.stderr || docker.stdout).trim().split("\n").at(-1)}`;
  const composeV2 = spawnSync("docker", ["compose", "version"], { encoding: "utf8", timeout: 10_000 });
  if (composeV2.status !== 0) return "docker has no compose plugin (`docker compose`)";
  return null;
}

describe("the image and the stack, where a container runtime is present", () => {
  const why = dockerUnavailable();
  if (why) console.log(`[deploy] skipping the image build and the compose stack: ${why}`);

  it.skipIf(why !== null)(
    "docker compose up: migrate completes, both web instances healthy, the portal answers /api/ready through NGINX",
    async () => {
      const project = `portico-test-${process.pid}`;
      const env = {
        ...process.env,
        POSTGRES_PASSWORD: `pw-${process.pid}-${Date.now()}`,
        AUTH_SECRET: "compose-test-secret-compose-test-secret",
        AUTH_URL: "http://localhost:18080",
        PORTICO_HTTP_PORT: "18080",
        PORTICO_GATEWAY_PORT: "18081",
      };
      const dc = (...args: string[]) => execFileSync("docker", ["compose", "-p", project, ...args], { cwd: root, env, stdio: "inherit", timeout: 20 * 60_000 });
      try {
        dc("up", "-d", "--build");
        // Through NGINX: ready once migrate has completed and a web instance is up.
        let ready: Response | undefined;
        for (const deadline = Date.now() + 5 * 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 2000))) {
          ready = await fetch("http://127.0.0.1:18080/api/ready").catch(() => undefined);
          if (ready?.status === 200) break;
        }
        expect(ready?.status).toBe(200);
        expect(await ready?.json()).toMatchObject({ status: "ok" });
        const migrate = execFileSync("docker", ["compose", "-p", project, "ps", "-a", "--format", "{{.Service}} {{.State}} {{.ExitCode}}", "migrate"], { cwd: root, env, encoding: "utf8" });
        expect(migrate.trim()).toBe("migrate exited 0");
        const health = await fetch("http://127.0.0.1:18080/api/health");
        expect(health.status).toBe(200);
        const user = execFileSync("docker", ["compose", "-p", project, "exec", "-T", "web-a", "id", "-u"], { cwd: root, env, encoding: "utf8" }).trim();
        expect(user).not.toBe("0");
        // No key: the gateway refuses before the API is reached.
        expect((await fetch("http://127.0.0.1:18081/weather/")).status).toBe(401);
      } finally {
        dc("down", "-v", "--remove-orphans");
      }
    },
    25 * 60_000,
  );
});
