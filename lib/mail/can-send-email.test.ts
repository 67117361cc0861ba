import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { canSendEmail, NO_EMAIL_WARNING, noEmailSignIn } from "./can-send-email";

// Through the real parseEnv: the decision follows the same variables the server starts with.
const base = { DATABASE_URL: "postgres://u:p@127.0.0.1:5432/portico", AUTH_SECRET: "x".repeat(32) };

describe("canSendEmail", () => {
  it("is false in production with no provider and the dev mailbox off (by default or by choice)", () => {
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "production" }))).toBe(false);
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "production", RESEND_API_KEY: " " }))).toBe(false);
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "production", PORTICO_DEV_MAILBOX: "off" }))).toBe(false);
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "development", PORTICO_DEV_MAILBOX: "off" }))).toBe(false);
  });

  it("is true with a provider, whatever else is set", () => {
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "production", RESEND_API_KEY: "re_123" }))).toBe(true);
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "production", RESEND_API_KEY: "re_123", PORTICO_DEV_MAILBOX: "off" }))).toBe(true);
  });

  it("is true on a web instance that leaves sending to a separate worker (which warns for itself)", () => {
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "production", PORTICO_WORKER: "off" }))).toBe(true);
  });

  it("is true where the dev mailbox shows the messages: development, or PORTICO_DEV_MAILBOX=on (the e2e server)", () => {
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "development" }))).toBe(true);
    expect(canSendEmail(parseEnv({ ...base }))).toBe(true);
    expect(canSendEmail(parseEnv({ ...base, NODE_ENV: "production", PORTICO_DEV_MAILBOX: "on" }))).toBe(true);
  });

  it("warns with what to set and where it is explained", () => {
    expect(NO_EMAIL_WARNING).toMatch(/RESEND_API_KEY/);
    expect(NO_EMAIL_WARNING).toMatch(/docs\/deploy\.md/);
  });

  it("tells visitors what they can do, and names no setting and no file (the warning does that)", () => {
    expect(noEmailSignIn({ github: true })).toMatch(/continue with GitHub/);
    expect(noEmailSignIn({ github: false })).toMatch(/administrator/);
    for (const text of [noEmailSignIn({ github: true }), noEmailSignIn({ github: false })]) {
      expect(text).not.toMatch(/RESEND|EMAIL_FROM|PORTICO_|docs\//);
    }
  });
});
