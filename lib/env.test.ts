import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const base = { DATABASE_URL: "postgres://u:p@127.0.0.1:5432/portico", AUTH_SECRET: "x".repeat(32) };

describe("parseEnv", () => {
  it("switches optional groups off when unset or blank", () => {
    const env = parseEnv({ ...base, RESEND_API_KEY: "", AUTH_GITHUB_ID: " " , AUTH_GITHUB_SECRET: ""});
    expect(env.resend).toBeNull();
    expect(env.github).toBeNull();
    expect(env.baseUrl).toBe("http://localhost:3000");
  });

  it("turns complete groups on", () => {
    const env = parseEnv({ ...base, RESEND_API_KEY: "re_123", AUTH_GITHUB_ID: "id", AUTH_GITHUB_SECRET: "s", AUTH_URL: "https://portal.example.com/" });
    expect(env.resend).toEqual({ apiKey: "re_123" });
    expect(env.github).toEqual({ clientId: "id", clientSecret: "s" });
    expect(env.baseUrl).toBe("https://portal.example.com");
    // A real provider means no dev mailbox, whatever else is set.
    expect(parseEnv({ ...base, RESEND_API_KEY: "re_1", PORTICO_DEV_MAILBOX: "on" }).devMailbox).toBe(false);
  });

  it("names every bad variable in one message", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x", AUTH_SECRET: "short", AUTH_URL: "not a url" })).toThrow(
      /DATABASE_URL must be a postgres:\/\/[\s\S]*AUTH_SECRET must be at least 16[\s\S]*AUTH_URL must be an absolute URL/,
    );
    expect(() => parseEnv({})).toThrow(/DATABASE_URL is not set[\s\S]*AUTH_SECRET is not set/);
  });

  it("refuses half a GitHub group", () => {
    expect(() => parseEnv({ ...base, AUTH_GITHUB_ID: "id" })).toThrow(/AUTH_GITHUB_ID and AUTH_GITHUB_SECRET/);
  });

  it("keeps the dev mailbox off in production unless asked for", () => {
    expect(parseEnv({ ...base, NODE_ENV: "production" }).devMailbox).toBe(false);
    expect(parseEnv({ ...base, NODE_ENV: "production", PORTICO_DEV_MAILBOX: "on" }).devMailbox).toBe(true);
    expect(parseEnv({ ...base, NODE_ENV: "development" }).devMailbox).toBe(true);
  });

  it("reads the trusted proxy hops and the sign-in limits, with safe defaults", () => {
    const env = parseEnv(base);
    expect(env.trustedProxies).toBe(0);
    expect(env.signInLimits).toEqual({ perAddressMinute: 1, perAddressHour: 5, perIpHour: 20 });
    const set = parseEnv({ ...base, PORTICO_TRUSTED_PROXIES: "2", PORTICO_SIGN_IN_PER_MINUTE: "3", PORTICO_SIGN_IN_PER_HOUR: "10", PORTICO_SIGN_IN_PER_IP_HOUR: "100" });
    expect(set.trustedProxies).toBe(2);
    expect(set.signInLimits).toEqual({ perAddressMinute: 3, perAddressHour: 10, perIpHour: 100 });
    expect(() => parseEnv({ ...base, PORTICO_TRUSTED_PROXIES: "-1", PORTICO_SIGN_IN_PER_HOUR: "0" })).toThrow(
      /PORTICO_TRUSTED_PROXIES must be 0 or more[\s\S]*PORTICO_SIGN_IN_PER_HOUR must be at least 1/,
    );
    expect(() => parseEnv({ ...base, PORTICO_TRUSTED_PROXIES: "yes" })).toThrow(/PORTICO_TRUSTED_PROXIES must be a whole number of proxy hops/);
  });

  it("opens the dev mailbox to other machines only with PORTICO_DEV_MAILBOX=on", () => {
    expect(parseEnv({ ...base, NODE_ENV: "development" }).devMailboxForAnyone).toBe(false);
    expect(parseEnv({ ...base, NODE_ENV: "production", PORTICO_DEV_MAILBOX: "on" }).devMailboxForAnyone).toBe(true);
  });

  it("allows http and private webhook targets only when each is on", () => {
    expect(parseEnv(base).webhookTargets).toEqual({ allowHttp: false, allowPrivate: false });
    expect(parseEnv({ ...base, PORTICO_WEBHOOK_ALLOW_HTTP: "on", PORTICO_WEBHOOK_ALLOW_PRIVATE: "on" }).webhookTargets).toEqual({ allowHttp: true, allowPrivate: true });
    expect(() => parseEnv({ ...base, PORTICO_WEBHOOK_ALLOW_PRIVATE: "yes" })).toThrow(/PORTICO_WEBHOOK_ALLOW_PRIVATE must be on or off/);
  });
});
