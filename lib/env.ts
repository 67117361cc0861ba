import { z } from "zod";

const optional = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const limit = z.coerce
  .number({ error: "must be a whole number of sign-in links" })
  .int("must be a whole number of sign-in links")
  .min(1, "must be at least 1")
  .max(100_000, "must be at most 100000");

const schema = z.object({
  DATABASE_URL: z
    .string({ error: "is not set. Start Portico with `npm run dev` / `npm start` (embedded Postgres) or set it to a postgres:// URL." })
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  // A direct (session) connection for LISTEN/NOTIFY when DATABASE_URL goes through a pooler in
  // transaction mode (PgBouncer), where a LISTEN does not stay on one server connection.
  DATABASE_DIRECT_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  // "transaction": DATABASE_URL is a pooler in transaction mode; queries go unprepared (db/connect.ts).
  DATABASE_POOLER: z.enum(["none", "session", "transaction"], { error: "must be none, session or transaction" }).default("none"),
  AUTH_SECRET: z
    .string({ error: "is not set. Generate one with `openssl rand -base64 33`." })
    .min(16, "must be at least 16 characters"),
  AUTH_URL: z.url("must be an absolute URL such as https://portal.example.com").optional(),
  AUTH_GITHUB_ID: optional,
  AUTH_GITHUB_SECRET: optional,
  RESEND_API_KEY: optional,
  EMAIL_FROM: z.string().default("Portico <portico@localhost>"),
  PORTICO_WORKER: z.enum(["inline", "off"]).default("inline"),
  PORTICO_DEV_MAILBOX: z.enum(["on", "off"]).optional(),
  // Webhook targets (lib/webhooks/targets.ts reads them where it sends): http:// URLs, and private,
  // loopback or link-local addresses. Off in production; on for tests and local receivers.
  PORTICO_WEBHOOK_ALLOW_HTTP: z.enum(["on", "off"], { error: "must be on or off" }).default("off"),
  PORTICO_WEBHOOK_ALLOW_PRIVATE: z.enum(["on", "off"], { error: "must be on or off" }).default("off"),
  PORTICO_KEY_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,9}$/, "must be 2–10 lowercase letters or digits, starting with a letter")
    .default("ptk"),
  PORTICO_VERIFY_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  PORTICO_VERIFY_HOST: z.string().default("127.0.0.1"),
  // Every database statement of the server settles within this (db/deadline.ts): with the database
  // frozen or unreachable, pages, actions, the API and verify answer "unavailable" within 2 s.
  PORTICO_DB_TIMEOUT_MS: z.coerce
    .number({ error: "must be a whole number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .min(100, "must be at least 100")
    .max(600_000, "must be at most 600000")
    .default(1200),
  PORTICO_KEY_ROLL_GRACE_HOURS: z.coerce.number().int().min(0).max(720).default(24),
  PORTICO_TRUSTED_PROXIES: z.coerce
    .number({ error: "must be a whole number of proxy hops (0 when clients connect to Portico directly)" })
    .int("must be a whole number of proxy hops (0 when clients connect to Portico directly)")
    .min(0, "must be 0 or more")
    .max(10, "must be at most 10")
    .default(0),
  PORTICO_SIGN_IN_PER_MINUTE: limit.default(1),
  PORTICO_SIGN_IN_PER_HOUR: limit.default(5),
  PORTICO_SIGN_IN_PER_IP_HOUR: limit.default(20),
  NODE_ENV: z.string().optional(),
});

export type Env = {
  DATABASE_URL: string;
  /** Where the change listener connects (lib/coherence/changes.ts): DATABASE_DIRECT_URL, else DATABASE_URL. */
  directDatabaseUrl: string;
  AUTH_SECRET: string;
  /** Origin used for every link Portico builds (never the request's Host header). */
  baseUrl: string;
  github: { clientId: string; clientSecret: string } | null;
  resend: { apiKey: string } | null;
  emailFrom: string;
  worker: "inline" | "off";
  /** The dev mailbox shows every local message, sign-in links included: never with a real provider. */
  devMailbox: boolean;
  /** Only PORTICO_DEV_MAILBOX=on opens the dev mailbox to non-loopback clients (lib/mail/dev-mailbox-access.ts). */
  devMailboxForAnyone: boolean;
  /** Keys look like `<keyPrefix>_…`. */
  keyPrefix: string;
  /** How long a rolled key keeps working. */
  rollGraceHours: number;
  /** Proxies in front of Portico whose X-Forwarded-For entry is believed (lib/net/client-ip.ts). */
  trustedProxies: number;
  /** Sign-in links sent at most this often (lib/auth/sign-in-limits.ts). */
  signInLimits: { perAddressMinute: number; perAddressHour: number; perIpHour: number };
  /** The dedicated verify listener for gateways (lib/keys/verify-server.ts); null = off. */
  verifyListener: { port: number; host: string } | null;
  /** Deadline of every database statement the server runs, waiting for a connection included (db/deadline.ts). */
  dbTimeoutMs: number;
  /** Which webhook targets may be used (lib/webhooks/targets.ts targetPolicy). */
  webhookTargets: { allowHttp: boolean; allowPrivate: boolean };
};

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".")} ${i.message}`);
    throw new Error(`Portico cannot start: invalid environment.\n${lines.join("\n")}`);
  }
  const e = result.data;
  // Optional groups switch off cleanly; half a group is a mistake worth naming.
  if (Boolean(e.AUTH_GITHUB_ID) !== Boolean(e.AUTH_GITHUB_SECRET)) {
    throw new Error(
      "Portico cannot start: invalid environment.\n  - AUTH_GITHUB_ID and AUTH_GITHUB_SECRET must be set together (or neither).",
    );
  }
  return {
    DATABASE_URL: e.DATABASE_URL,
    directDatabaseUrl: e.DATABASE_DIRECT_URL ?? e.DATABASE_URL,
    AUTH_SECRET: e.AUTH_SECRET,
    baseUrl: (e.AUTH_URL ?? "http://localhost:3000").replace(/\/api\/auth\/?$/, "").replace(/\/$/, ""),
    github:
      e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET
        ? { clientId: e.AUTH_GITHUB_ID, clientSecret: e.AUTH_GITHUB_SECRET }
        : null,
    resend: e.RESEND_API_KEY ? { apiKey: e.RESEND_API_KEY } : null,
    emailFrom: e.EMAIL_FROM,
    worker: e.PORTICO_WORKER,
    keyPrefix: e.PORTICO_KEY_PREFIX,
    rollGraceHours: e.PORTICO_KEY_ROLL_GRACE_HOURS,
    trustedProxies: e.PORTICO_TRUSTED_PROXIES,
    signInLimits: {
      perAddressMinute: e.PORTICO_SIGN_IN_PER_MINUTE,
      perAddressHour: e.PORTICO_SIGN_IN_PER_HOUR,
      perIpHour: e.PORTICO_SIGN_IN_PER_IP_HOUR,
    },
    verifyListener: e.PORTICO_VERIFY_PORT ? { port: e.PORTICO_VERIFY_PORT, host: e.PORTICO_VERIFY_HOST } : null,
    dbTimeoutMs: e.PORTICO_DB_TIMEOUT_MS,
    webhookTargets: { allowHttp: e.PORTICO_WEBHOOK_ALLOW_HTTP === "on", allowPrivate: e.PORTICO_WEBHOOK_ALLOW_PRIVATE === "on" },
    devMailbox:
      !e.RESEND_API_KEY &&
      (e.PORTICO_DEV_MAILBOX === "on" || (e.PORTICO_DEV_MAILBOX !== "off" && e.NODE_ENV !== "production")),
    devMailboxForAnyone: !e.RESEND_API_KEY && e.PORTICO_DEV_MAILBOX === "on",
  };
}

// Parsed once per process. Lazy so `next build` can import modules without a database configured.
let cached: Env | undefined;
export const env: Env = new Proxy({} as Env, {
  get(_t, key: keyof Env) {
    cached ??= parseEnv(process.env);
    return cached[key];
  },
});
