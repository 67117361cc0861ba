import { describe, expect, it } from "vitest";

// The route reads DATABASE_URL once (lib/env.ts), so this file points it at a port nobody listens on.
process.env.DATABASE_URL = "postgres://portico:not-a-real-password@127.0.0.1:1/portico";
const { GET } = await import("@/app/api/ready/route");
const { GET: health } = await import("@/app/api/health/route");

describe("GET /api/ready and /api/health with the database away", () => {
  it("ready: 503 within the deadline, says PostgreSQL could not be reached, names no address or password; the probe's connection is thrown away", async () => {
    const started = Date.now();
    const response = await GET();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(response.status).toBe(503);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: "unavailable", checks: { database: { status: "failing" }, migrations: { status: "unknown" } } });
    expect(text).not.toMatch(/127\.0\.0\.1|not-a-real-password|portico:/);
    expect((globalThis as { porticoReadyPool?: unknown }).porticoReadyPool).toBeUndefined();
  });

  it("health: still 200, it never asks the database", async () => {
    const response = health();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ status: "ok" });
  });
});
