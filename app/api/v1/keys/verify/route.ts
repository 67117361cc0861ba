import { z } from "zod";
import { sql } from "@/db/client";
import { env } from "@/lib/env";
import { MAX_KEY_LENGTH } from "@/lib/keys/key-format";
import { lastUsedRecorder } from "@/lib/keys/last-used";
import { keyFromHeaders, lookupKey, verifyKey } from "@/lib/keys/verify-key";

export const dynamic = "force-dynamic";

const lastUsed = lastUsedRecorder(sql);
const lookup = (hash: string) => lookupKey(sql, hash);
const MAX_BODY = 4096;
const bodySchema = z.object({ key: z.unknown().optional(), product: z.unknown().optional() });

function answer(result: { status: number; body: unknown; headers: Record<string, string> }) {
  return Response.json(result.body, {
    status: result.status,
    headers: { ...result.headers, "Cache-Control": "no-store" },
  });
}

async function handle(request: Request) {
  const url = new URL(request.url);
  let key: unknown = keyFromHeaders(request.headers);
  let product: unknown = url.searchParams.get("product") ?? request.headers.get("x-portico-product");
  if (request.method === "POST" && key === null) {
    const text = await request.text();
    if (text.length > MAX_BODY) return answer({ status: 413, body: { valid: false, error: "The body is too large; send {\"key\": …}." }, headers: {} });
    if (text.trim() !== "") {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return answer({ status: 400, body: { valid: false, error: "The body must be JSON such as {\"key\": \"…\", \"product\": \"…\"}." }, headers: {} });
      }
      const parsed = bodySchema.safeParse(json);
      if (!parsed.success) return answer({ status: 400, body: { valid: false, error: "The body must be a JSON object with a key." }, headers: {} });
      key = parsed.data.key ?? null;
      product = product ?? parsed.data.product ?? null;
    }
  }
  if (typeof key === "string" && key.length > MAX_KEY_LENGTH) key = key.slice(0, MAX_KEY_LENGTH + 1);
  const result = await verifyKey({ key, product: typeof product === "string" || product === null ? product : String(product) }, lookup, {
    prefix: env.keyPrefix,
  });
  if (result.status === 200) lastUsed.mark(String(result.body.keyId));
  return answer(result);
}

export const GET = handle;
export const POST = handle;
