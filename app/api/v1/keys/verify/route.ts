import { sql } from "@/db/client";
import { env } from "@/lib/env";
import { readTextWithin } from "@/lib/http/body-limit";
import { apiSecurityHeaders } from "@/lib/http/security-headers";
import { processVerifyContext } from "@/lib/keys/verify-context";
import { logRefusal, verifyHttp, verifyUnavailable } from "@/lib/keys/verify-http";

export const dynamic = "force-dynamic";

const { limiter, lastUsed, importedKeys, lookup, accessTokens } = processVerifyContext(sql);

/** DESIGN.md §5. Gateways that need more speed use the dedicated listener (PORTICO_VERIFY_PORT). */
async function handle(request: Request) {
  // The database away: the listener's 503 and body (verifyUnavailable), never Next's empty 500.
  const result = await verifyHttp(
    { method: request.method, url: request.url, headers: request.headers, readBody: (limit) => readTextWithin(request.body, limit) },
    lookup,
    { prefix: env.keyPrefix, limiter, importedKeys: importedKeys.get, accessTokens },
  ).catch(verifyUnavailable);
  if (result.status === 200) lastUsed.mark(String(result.body.keyId));
  logRefusal(result);
  // proxy.ts skips this route (gateways' hot path), so it sets the CSP and HSTS itself.
  const headers = { ...apiSecurityHeaders(env.baseUrl), ...result.headers, "Cache-Control": "no-store" };
  return Response.json(result.body, { status: result.status, headers });
}

export const GET = handle;
export const POST = handle;
