import { expect, test } from "@playwright/test";

// Orchestrators and load balancers probe without a session: the proxy lets both through, and
// neither answer may be cached by anything between them and Portico.
test.describe("health and readiness probes", () => {
  test("GET /api/health: 200 JSON, the process answers, not cached, no cookie set", async ({ request }) => {
    const response = await request.get("/api/health", { maxRedirects: 0 });
    expect(response.status()).toBe(200);
    expect(response.headers()["cache-control"]).toBe("no-store");
    expect(response.headers()["set-cookie"]).toBeUndefined();
    expect(await response.json()).toMatchObject({ status: "ok", checks: { process: { status: "ok" } } });
  });

  test("GET /api/ready: 200 JSON, database, migrations and job queue ok, not cached", async ({ request }) => {
    const response = await request.get("/api/ready", { maxRedirects: 0 });
    expect(response.status()).toBe(200);
    expect(response.headers()["cache-control"]).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({
      status: "ok",
      checks: { database: { status: "ok" }, migrations: { status: "ok" }, jobQueue: { status: "ok" } },
    });
    expect(body.checks.migrations.applied).toBe(body.checks.migrations.expected);
    // Twice in a row: a probe's answer is reused for at most a second (lib/health/readiness.ts sharedReadiness),
    // never cached by a proxy, so a database going away shows within a second.
    const again = await (await request.get("/api/ready")).json();
    expect(again.checks.database.ms).toEqual(expect.any(Number));
  });

  test("with a session cookie that means nothing: still answered, never redirected to sign in", async ({ request }) => {
    const response = await request.get("/api/ready", { maxRedirects: 0, headers: { cookie: "authjs.session-token=nonsense" } });
    expect(response.status()).toBe(200);
  });
});
