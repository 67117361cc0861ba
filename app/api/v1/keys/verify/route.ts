import { sql } from "@/db/client";
import { env } from "@/lib/env";
import { lastUsedRecorder } from "@/lib/keys/last-used";
import { verifyHttp } from "@/lib/keys/verify-http";
import { lookupKey } from "@/lib/keys/verify-key";

export const dynamic = "force-dynamic";

const lastUsed = lastUsedRecorder(sql);
const lookup = (hash: string) => lookupKey(sql, hash);

/** DESIGN.md §5. Gateways that need more speed use the dedicated listener (PORTICO_VERIFY_PORT). */
async function handle(request: Request) {
  const result = await verifyHttp(
    { method: request.method, url: request.url, headers: request.headers, text: () => request.text() },
    lookup,
    { prefix: env.keyPrefix },
  );
  if (result.status === 200) lastUsed.mark(String(result.body.keyId));
  return Response.json(result.body, { status: result.status, headers: { ...result.headers, "Cache-Control": "no-store" } });
}

export const GET = handle;
export const POST = handle;
