import { z } from "zod";
import { MAX_KEY_LENGTH } from "./key-format";
import { type KeyRow, type VerifyResult, keyFromHeaders, verifyKey } from "./verify-key";

const MAX_BODY = 4096;
const bodySchema = z.object({ key: z.unknown().optional(), product: z.unknown().optional() });

type HttpAnswer = { status: number; body: Record<string, unknown>; headers: Record<string, string> };
const bad = (status: number, error: string): HttpAnswer => ({ status, body: { valid: false, error }, headers: {} });

/**
 * The verify endpoint's HTTP contract, shared by the Next route and the dedicated verify listener:
 * key from `Authorization: Bearer`, `X-API-Key` or a JSON body; product from `?product=`, the
 * `X-Portico-Product` header or the body.
 */
export async function verifyHttp(
  request: { method: string; url: string; headers: Headers; text: () => Promise<string> },
  lookup: (keyHash: string) => Promise<readonly KeyRow[]>,
  opts: { prefix: string },
): Promise<VerifyResult | HttpAnswer> {
  const url = new URL(request.url, "http://verify");
  let key: unknown = keyFromHeaders(request.headers);
  let product: unknown = url.searchParams.get("product") ?? request.headers.get("x-portico-product");
  if (request.method === "POST" && key === null) {
    if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY) return bad(413, 'The body is too large; send {"key": …}.');
    const text = await request.text();
    if (text.length > MAX_BODY) return bad(413, 'The body is too large; send {"key": …}.');
    if (text.trim() !== "") {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return bad(400, 'The body must be JSON such as {"key": "…", "product": "…"}.');
      }
      const parsed = bodySchema.safeParse(json);
      if (!parsed.success) return bad(400, "The body must be a JSON object with a key.");
      key = parsed.data.key ?? null;
      product = product ?? parsed.data.product ?? null;
    }
  }
  if (typeof key === "string" && key.length > MAX_KEY_LENGTH) key = key.slice(0, MAX_KEY_LENGTH + 1);
  return verifyKey({ key, product: typeof product === "string" || product === null ? product : String(product) }, lookup, opts);
}
