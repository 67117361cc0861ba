import type { Database } from "@/db/connect";
import type { ApiAccessGrant } from "@/db/schema";
import { createApiAccessKey } from "@/lib/api-access/manage";
import type { Operation } from "@/lib/api/operation";
import { operations } from "@/lib/api/operations";
import { createApiRouter } from "@/lib/api/router";
import { userActor } from "@/lib/auth/permissions";
import { contractValidator } from "./contract-of-operations";
import type { catalogueFixture } from "./fixtures";

export const API_BASE_URL = "http://portal.test";

/**
 * The /api/v1 router over a test database (the same handler the Next route serves), and a way to
 * mint tokens for keys with given roles, created by an admin as the page does.
 */
export function apiHarness(db: Database, f: Awaited<ReturnType<typeof catalogueFixture>>, ops: readonly Operation[] = operations) {
  const contract = contractValidator(ops);
  const handle = createApiRouter(ops, () => ({ db, baseUrl: API_BASE_URL, clientIp: () => "203.0.113.7" }));
  let admin: Awaited<ReturnType<typeof f.user>> | undefined;
  let n = 0;

  async function token(roles: ApiAccessGrant[], name = `key ${++n} ${Math.random().toString(36).slice(2, 8)}`) {
    admin ??= await f.user("admin");
    const { key, token } = await createApiAccessKey(db, userActor(admin), { name, expiry: "30d", roles, issuer: API_BASE_URL });
    return { key, token, admin };
  }

  /**
   * A call as a client makes it: `call(token, "GET", "/products")`, JSON bodies sent as JSON. Every
   * answer is validated against the OpenAPI document (tests/contract.ts): an undocumented status,
   * content type or body shape throws, naming the operation, the status and Ajv's errors.
   */
  async function call(bearer: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["Content-Type"] ??= "application/json";
    }
    const response = await handle(new Request(`${API_BASE_URL}/api/v1${path}`, init));
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    contract.validate(method, path, response.status, response.headers.get("content-type"), json);
    return { status: response.status, headers: response.headers, body: json as Record<string, unknown> & { items?: unknown[] } };
  }

  return { handle, token, call };
}
