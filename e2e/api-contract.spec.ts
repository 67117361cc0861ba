import { Validator } from "@seriousme/openapi-schema-validator";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import createClient from "openapi-fetch";
import { products, users } from "../db/schema";
import { createApiAccessKey } from "../lib/api-access/manage";
import committed from "../tests/generated/portal-api.openapi.json" with { type: "json" };
import { userActor } from "../lib/auth/permissions";
import { type ApiDocument, responseValidator } from "../tests/contract";
import type { paths } from "../tests/generated/portal-api";
import { e2eDb } from "./db";
import { BASE_URL } from "./keys-helpers";

/**
 * The published contract against the real server (next start): the document served at
 * /api/v1/openapi.json is a valid OpenAPI 3.1 document, the same one the operations generate, and a
 * client generated from it (openapi-typescript + openapi-fetch) gets answers that match it.
 */
test("GET /api/v1/openapi.json serves a valid OpenAPI 3.1 document; the generated client's calls match it", async ({ request }) => {
  const served = await request.get("/api/v1/openapi.json");
  expect(served.status()).toBe(200);
  expect(served.headers()["content-type"]).toMatch(/^application\/json/);
  const doc = (await served.json()) as ApiDocument;
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc) as Record<string, unknown>);
  expect(result.errors ?? []).toEqual([]);
  expect(validator.version).toBe("3.1");
  // the same document the client was generated from (lib/api/client.test.ts keeps that file current),
  // but for the server URL, which is this portal's (the operations themselves are not loaded here:
  // Playwright's loader cannot resolve the next/cache import some of them make)
  expect({ ...doc, servers: undefined }).toEqual({ ...committed, servers: undefined });
  expect((doc as { servers?: unknown }).servers).toEqual([{ url: `${BASE_URL}/api/v1` }]);

  // a Product approver key for Payments, made as the admin page makes it
  const conn = e2eDb();
  try {
    const [admin] = await conn.db.select().from(users).where(eq(users.email, "admin@portico.dev"));
    const [payments] = await conn.db.select().from(products).where(eq(products.slug, "payments"));
    if (!admin || !payments) throw new Error("demo data missing");
    const { token } = await createApiAccessKey(conn.db, userActor(admin), {
      name: `e2e contract ${Date.now()}`,
      expiry: "30d",
      roles: [{ role: "product_approver", products: [payments.id] }],
      issuer: BASE_URL,
    });

    const contract = responseValidator(doc);
    const client = createClient<paths>({
      baseUrl: `${BASE_URL}/api/v1`,
      headers: { Authorization: `Bearer ${token}` },
      fetch: async (req) => {
        const response = await fetch(req);
        const text = await response.clone().text();
        contract.validate(req.method, req.url.slice(`${BASE_URL}/api/v1`.length), response.status, response.headers.get("content-type"), text ? JSON.parse(text) : undefined);
        return response;
      },
    });
    const list = await client.GET("/products", { params: { query: { limit: 10 } } });
    expect(list.response.status).toBe(200);
    expect(list.data?.items.map((p) => p.slug)).toEqual(["payments"]);
    const one = await client.GET("/products/{productId}", { params: { path: { productId: payments.id } } });
    expect(one.data?.name).toBe(payments.name);
    const outside = await client.GET("/products/{productId}", { params: { path: { productId: crypto.randomUUID() } } });
    expect(outside.response.status).toBe(404);
    expect(outside.response.headers.get("content-type")).toBe("application/problem+json");
  } finally {
    await conn.sql.end();
  }
});
