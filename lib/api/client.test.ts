import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import createClient from "openapi-fetch";
import { beforeAll, describe, expect, it } from "vitest";
import { GENERATED_DIR, generateClient } from "@/scripts/api-client";
import { API_BASE_URL, apiHarness } from "@/tests/api";
import { contractValidator } from "@/tests/contract-of-operations";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import type { paths } from "@/tests/generated/portal-api";

/**
 * The API as a client sees it: a client made by tools nobody here wrote (openapi-typescript types
 * generated from the document by `npm run api:client`, openapi-fetch calls), type-checked by
 * `tsc --noEmit`, over the same router the Next route serves. Every answer is also validated
 * against the document.
 */
const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
const contract = contractValidator();

/** A generated, typed client for a token; its fetch is the router, each answer checked against the document. */
function clientFor(token: string) {
  return createClient<paths>({
    baseUrl: `${API_BASE_URL}/api/v1`,
    headers: { Authorization: `Bearer ${token}` },
    fetch: async (request) => {
      const path = request.url.slice(`${API_BASE_URL}/api/v1`.length);
      const method = request.method;
      const response = await api.handle(request);
      const text = await response.clone().text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: the validator says so
      }
      contract.validate(method, path, response.status, response.headers.get("content-type"), body);
      return response;
    },
  });
}

beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
});

describe("the generated client (tests/generated/portal-api.d.ts)", () => {
  it("is up to date with the document: `npm run api:client` regenerates exactly the committed files", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "portico-api-client-"));
    try {
      const fresh = generateClient(dir);
      const stale = "is stale: run `npm run api:client` and commit tests/generated/";
      expect(readFileSync(fresh.json, "utf8"), `portal-api.openapi.json ${stale}`).toBe(readFileSync(path.join(GENERATED_DIR, "portal-api.openapi.json"), "utf8"));
      expect(readFileSync(fresh.dts, "utf8"), `portal-api.d.ts ${stale}`).toBe(readFileSync(path.join(GENERATED_DIR, "portal-api.d.ts"), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /*
   * COORDINATOR: the whole story (createProduct, publishProduct, createAccessRequest on behalf of a
   * consumer, approveAccessRequest, listAccessRequests, listKeys, revokeKey) through this client is
   * lib/api/client-flow.test.ts.after-merge: rename it to .ts once main's operations are merged and
   * `npm run api:client` has regenerated tests/generated/.
   */
  it("reads the catalogue through the typed client: a Portal admin lists and pages products, a Product approver sees only its product", async () => {
    const payments = f.product("payments");
    const admin = clientFor((await api.token([{ role: "portal_admin" }])).token);

    const first = await admin.GET("/products", { params: { query: { limit: 2 } } });
    expect(first.response.status).toBe(200);
    const page1 = first.data;
    if (!page1) throw new Error(`listProducts failed: ${JSON.stringify(first.error)}`);
    expect(page1.items).toHaveLength(2);
    expect(page1.next).toEqual(expect.any(String));
    const second = await admin.GET("/products", { params: { query: { limit: 2, cursor: page1.next ?? undefined } } });
    const page2Ids: string[] = second.data?.items.map((p) => p.id) ?? [];
    expect(page2Ids).toHaveLength(2);
    expect(page2Ids).not.toContain(page1.items[0]?.id);

    const one = await admin.GET("/products/{productId}", { params: { path: { productId: payments.id } } });
    const product = one.data;
    expect(product?.slug).toBe("payments");
    // typed fields: the generated enum and the nested owner
    const status: "draft" | "published" | "archived" | undefined = product?.status;
    expect(status).toBe("published");
    expect(product?.owner.email).toMatch(/@/);

    const approver = clientFor((await api.token([{ role: "product_approver", products: [payments.id] }])).token);
    const mine = await approver.GET("/products", {});
    expect(mine.data?.items.map((p) => p.id)).toEqual([payments.id]);
    const other = await approver.GET("/products/{productId}", { params: { path: { productId: f.product("invoices").id } } });
    expect(other.response.status).toBe(404);
    // errors are typed as the document's Problem
    expect(other.error?.status).toBe(404);
    expect(other.error?.detail).toMatch(/scope/);

    // the types are the document's: tsc refuses a path or a field it does not have
    // @ts-expect-error -- no such path in the document
    expect((await admin.GET("/no-such-path", {})).response.status).toBe(404);
    // @ts-expect-error -- a Product has no `secret`
    expect(product?.secret).toBeUndefined();

    const refused = await clientFor("not-a-token").GET("/products", {});
    expect(refused.response.status).toBe(401);
    expect(refused.error?.title).toBe("Unauthorized");
  });
});
