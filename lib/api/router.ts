import { z } from "zod";
import type { Database } from "@/db/connect";
import { trackWrites } from "@/db/deadline";
import { databaseUnavailableIn } from "@/db/unavailable";
import { checkToken } from "@/lib/api-access/tokens";
import { describeRoles } from "@/lib/api-access/grants";
import { withAuditContext } from "@/lib/audit/context";
import { describeError } from "@/lib/describe-error";
import { DomainError, statusOf } from "@/lib/errors";
import { BodyTooLargeError, readTextWithin } from "@/lib/http/body-limit";
import { apiSecurityHeaders } from "@/lib/http/security-headers";
import { ApiError } from "./api-error";
import { claimIdempotencyKey, fingerprintOf, settleIdempotencyKey } from "./idempotency";
import type { ApiResult, Operation } from "./operation";
import { fieldProblems, problem } from "./problem";

export const API_PREFIX = "/api/v1";
/** Request bodies of the API (proxy.ts allows /api 64 KiB too). */
export const API_BODY_LIMIT = 64 * 1024;

export type ApiDeps = { db: Database; baseUrl: string; clientIp?: (request: Request) => string | null };

type Route = { op: Operation; pattern: RegExp; names: string[] };

function compile(op: Operation): Route {
  const names: string[] = [];
  const source = op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { op, pattern: new RegExp(`^${source}$`), names };
}

/** One handler for every operation: the catch-all route under /api/v1 and the tests call it. */
export function createApiRouter(operations: readonly Operation[], deps: () => ApiDeps) {
  // static paths before templated ones ("/access-requests/export" before "/access-requests/{id}")
  const routes = operations.map(compile).sort((a, b) => a.names.length - b.names.length);

  return async function handle(request: Request): Promise<Response> {
    const d = deps();
    const writes = { wrote: false };
    const result = await withAuditContext({ ip: d.clientIp?.(request) ?? null }, () =>
      trackWrites(writes, () => dispatch(routes, request, d)).catch((e: unknown) => {
        // a fault outside a handler (the database down during the token check): still problem+json
        console.error(`API ${request.method} ${new URL(request.url).pathname} failed: ${describeError(e)}`);
        return unavailable(Boolean(databaseUnavailableIn(e)?.outcomeUnknown) || writes.wrote);
      }),
    );
    // HEAD is GET without the body (Response drops it)
    if (request.method === "HEAD") return toResponse({ ...result, body: undefined, stream: undefined }, d.baseUrl);
    return toResponse(result, d.baseUrl);
  };
}

async function dispatch(routes: Route[], request: Request, deps: ApiDeps): Promise<ApiResult> {
  const url = new URL(request.url);
  const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) || "/" : url.pathname;
  const matching = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
  if (matching.length === 0) return problem(404, `No API operation at ${API_PREFIX}${path}. The operations are listed at ${API_PREFIX}/openapi.json.`);
  const method = request.method === "HEAD" ? "GET" : request.method;
  const hit = matching.find((x) => x.r.op.method === method);
  if (!hit) {
    const allowed = [...new Set(matching.map((x) => x.r.op.method))].join(", ");
    return problem(405, `${request.method} is not allowed here; use ${allowed}.`, {}, { Allow: allowed });
  }
  const { op, names } = hit.r;

  // 1. who: a bearer token the database still honours
  const auth = request.headers.get("authorization") ?? "";
  const token = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  const challenge = { "WWW-Authenticate": 'Bearer realm="portico"' };
  if (!token) return problem(401, "Send an API access key as `Authorization: Bearer <token>`. Admins create keys at /admin/api-keys.", {}, challenge);
  const check = await checkToken(deps.db, token, { issuer: deps.baseUrl });
  if (!check.ok) {
    return problem(401, "This token is not valid: it may be expired, removed, or not issued by this portal.", {}, { ...challenge, "WWW-Authenticate": 'Bearer realm="portico", error="invalid_token"' });
  }
  const actor = check.actor;

  // 2. may it: one of the operation's roles
  if (!op.roles.some((r) => actor.grants.some((g) => g.role === r))) {
    return problem(403, `${op.summary} needs the role ${describeRoles(op.roles)}; this key does not hold it.`, { requiredRoles: [...op.roles] });
  }

  // 3. what: path, query and body, validated by the operation's own schemas
  const rawParams: Record<string, string> = {};
  names.forEach((n, i) => {
    try {
      rawParams[n] = decodeURIComponent(hit.m?.[i + 1] ?? "");
    } catch {
      rawParams[n] = "";
    }
  });
  const params = op.params ? op.params.safeParse(rawParams) : { success: true as const, data: {} };
  if (!params.success) return problem(404, "Nothing with this id exists (ids are UUIDs).", { errors: fieldProblems("path", params.error) });

  const rawQuery: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    rawQuery[key] = all.length > 1 ? all : (all[0] ?? "");
  }
  // Postgres refuses NUL in text: a NUL anywhere in the input is refused here, for every operation
  const nulInQuery = Object.entries(rawQuery).find(([k, v]) => k.includes("\0") || [v].flat().some((x) => x.includes("\0")));
  if (nulInQuery) {
    return problem(422, "The query string holds a NUL character.", { errors: [{ in: "query", field: nulInQuery[0], detail: "No NUL characters." }] });
  }
  const query = op.query ? op.query.safeParse(rawQuery) : { success: true as const, data: {} };
  if (!query.success) return problem(422, "The query string is not valid; see `errors`.", { errors: fieldProblems("query", query.error) });

  let text = "";
  let body: unknown = undefined;
  if (request.method === "POST" || request.method === "PATCH") {
    try {
      text = await readTextWithin(request.body, API_BODY_LIMIT);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return problem(413, `The body is larger than ${API_BODY_LIMIT} bytes.`);
      throw e;
    }
    if (op.body) {
      const type = request.headers.get("content-type") ?? "";
      if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) return problem(415, "Send the body as JSON with `Content-Type: application/json`.");
      try {
        body = JSON.parse(text);
        const nul = nulAt(body);
        if (nul !== null) return problem(422, "The body holds a NUL character.", { errors: [{ in: "body", field: nul, detail: "No NUL characters." }] });
      } catch {
        return problem(400, "The body is not valid JSON.");
      }
      const parsed = op.body.safeParse(body);
      if (!parsed.success) return problem(422, "The body is not valid; see `errors`.", { errors: fieldProblems("body", parsed.error) });
      body = parsed.data;
    }
  }

  // 4. once: an Idempotency-Key on a POST replays its first answer
  const idemKey = request.method === "POST" ? request.headers.get("idempotency-key") : null;
  if (idemKey !== null && !/^[\x21-\x7e]{1,255}$/.test(idemKey)) {
    return problem(422, "Idempotency-Key must be 1–255 visible ASCII characters (a UUID is a good choice).", {
      errors: [{ in: "header", field: "Idempotency-Key", detail: "1–255 visible ASCII characters." }],
    });
  }
  if (idemKey) {
    const claim = await claimIdempotencyKey(deps.db, actor.keyId, idemKey, fingerprintOf(request.method, `${path}${url.search}`, text));
    if (claim.kind === "answer") return claim.result;
  }

  let result: ApiResult | null = null;
  try {
    result = await op.handler({ actor, params: params.data, query: query.data, body, db: deps.db, baseUrl: deps.baseUrl, request });
  } catch (e) {
    result = refusal(e);
    const down = databaseUnavailableIn(e);
    if (!result && down) {
      console.error(`API ${op.operationId} failed: ${describeError(down)}`);
      result = unavailable(down.outcomeUnknown);
    } else if (!result) {
      console.error(`API ${op.operationId} failed: ${describeError(e)}`);
      result = problem(500, "Something went wrong on our side; nothing was changed. Try again, and tell an admin if it keeps happening.");
    }
  } finally {
    if (idemKey) await settleIdempotencyKey(deps.db, actor.keyId, idemKey, result);
  }
  return result;
}

/**
 * 503 with Retry-After: the database did not answer. "Nothing was changed" only when no write may
 * have reached it (db/deadline.ts tracks commits and lone writes).
 */
function unavailable(mayHaveSaved: boolean): ApiResult {
  const detail = mayHaveSaved
    ? "The database stopped answering partway; this change may or may not have been saved. Read it back before retrying, or retry with the same Idempotency-Key."
    : "The database is not answering right now; nothing was changed. Retry after the number of seconds in Retry-After.";
  return problem(503, detail, {}, { "Retry-After": "2" });
}

/** The dotted path of the first string (or key) holding a NUL in a JSON value, or null. */
function nulAt(value: unknown, path: string[] = []): string | null {
  if (typeof value === "string") return value.includes("\0") ? path.join(".") : null;
  if (value === null || typeof value !== "object") return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes("\0")) return [...path, k].join(".");
    const found = nulAt(v, [...path, k]);
    if (found !== null) return found;
  }
  return null;
}

/** Expected refusals from handlers and domain functions, as problems. */
function refusal(e: unknown): ApiResult | null {
  if (e instanceof ApiError) return e.toResult();
  if (e instanceof DomainError) {
    const errors = e.fieldErrors ? Object.entries(e.fieldErrors).map(([field, detail]) => ({ in: "body" as const, field, detail })) : undefined;
    return problem(statusOf(e), e.message, errors ? { errors } : {});
  }
  if (e instanceof z.ZodError) return problem(422, "The request is not valid; see `errors`.", { errors: fieldProblems("body", e) });
  return null;
}

function toResponse(result: ApiResult, baseUrl: string) {
  const headers = new Headers({ ...apiSecurityHeaders(baseUrl), "Cache-Control": "no-store" });
  if (result.stream) {
    for (const [k, v] of Object.entries(result.headers ?? {})) headers.set(k, v);
    return new Response(result.stream, { status: result.status, headers });
  }
  if (result.body !== undefined) headers.set("Content-Type", "application/json");
  for (const [k, v] of Object.entries(result.headers ?? {})) headers.set(k, v);
  return new Response(result.body === undefined ? null : JSON.stringify(result.body), { status: result.status, headers });
}
