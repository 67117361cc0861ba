import { z } from "zod";
import { looksLikeJwt } from "@/lib/oauth/verify-token";
import { describeError } from "@/lib/describe-error";
import { BodyTooLargeError } from "@/lib/http/body-limit";
import { type HeaderSource, type KeyRow, MAX_IMPORTED_KEY_LENGTH, type VerifyOptions, type VerifyResult, keyFromHeaders, verifyKey } from "./verify-key";

/** A verify body is `{"key": …, "product": …}`: a few hundred bytes; 8 KiB leaves room and bounds memory. */
export const MAX_VERIFY_BODY = 8 * 1024;
const bodySchema = z.object({ key: z.unknown().optional(), product: z.unknown().optional() });

type HttpAnswer = { status: number; body: Record<string, unknown>; headers: Record<string, string>; reason?: string };
const bad = (status: number, error: string): HttpAnswer => ({ status, body: { valid: false, error }, headers: {} });
const TOO_LARGE = `The body is over ${MAX_VERIFY_BODY} bytes; send {"key": …, "product": …} only.`;

/**
 * `?product=` of a request target (a path or an absolute URL), as `new URL(target).searchParams`
 * reads it, without parsing the whole URL on every call.
 */
function queryProduct(target: string): string | null {
  // As the URL parser does: drop surrounding C0 controls and spaces, and tabs and newlines anywhere.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20]/.test(target)) target = target.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "").replace(/[\t\n\r]/g, "");
  const hash = target.indexOf("#");
  const end = hash === -1 ? target.length : hash;
  const q = target.indexOf("?");
  if (q === -1 || q > end) return null;
  return new URLSearchParams(target.slice(q + 1, end)).get("product");
}

/**
 * The verify endpoint's HTTP contract, shared by the Next route and the dedicated verify listener:
 * key from `Authorization: Bearer`, `X-API-Key` or a JSON body; product from `?product=`, the
 * `X-Portico-Product` header or the body. `readBody(limit)` reads the body as a stream and throws
 * BodyTooLargeError past `limit` bytes (Content-Length may be absent: chunked), answered with 413.
 */
export async function verifyHttp(
  request: { method: string; url: string; headers: HeaderSource; readBody: (limit: number) => Promise<string> },
  lookup: (keyHash: string) => Promise<readonly KeyRow[]>,
  opts: VerifyOptions,
): Promise<VerifyResult | HttpAnswer> {
  let key: unknown = keyFromHeaders(request.headers);
  let product: unknown = queryProduct(request.url) ?? request.headers.get("x-portico-product");
  if (request.method === "POST" && key === null) {
    // An over-long body, declared or not, is read away (bounded: readBody lingers at most 16 MB / 2 s,
    // keeping nothing past the limit) before the 413, so the client is not reset mid-upload and
    // reads the answer (a declared 4 MB body answered at once lost its 413 to an EPIPE under load).
    let text: string;
    try {
      text = await request.readBody(MAX_VERIFY_BODY);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return bad(413, TOO_LARGE);
      throw error;
    }
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
  // An OAuth access token (a JWT) is longer than any key; anything else that long is cut before verify.
  if (typeof key === "string" && key.length > MAX_IMPORTED_KEY_LENGTH && !(opts.accessTokens && looksLikeJwt(key))) {
    key = key.slice(0, MAX_IMPORTED_KEY_LENGTH + 1);
  }
  return verifyKey({ key, product: typeof product === "string" || product === null ? product : String(product) }, lookup, opts);
}

let lastFailureLog = 0;
let unloggedFailures = 0;

/**
 * What verify answers when it cannot check a key (the database away or too slow): 503 with this
 * one body on the Next route and the listener alike, so a gateway fails closed or open by its own
 * rule. Logged at most once a second: during an outage every call fails.
 */
export function verifyUnavailable(error: unknown): HttpAnswer {
  const now = Date.now();
  if (now - lastFailureLog >= 1000) {
    const more = unloggedFailures ? ` (and ${unloggedFailures} more since the last line)` : "";
    console.error(`verify failed: ${describeError(error)}${more}`);
    lastFailureLog = now;
    unloggedFailures = 0;
  } else {
    unloggedFailures++;
  }
  return {
    status: 503,
    body: { valid: false, error: "Portico cannot check keys right now; retry shortly." },
    headers: { "Retry-After": "1" },
    reason: "unavailable",
  };
}

/** The reason behind a 401 goes to the server log (never the key itself), not to the caller. */
export function logRefusal(result: { status: number; reason?: string }) {
  if (result.status === 401 && result.reason && result.reason !== "no key") console.info(`verify: 401 (${result.reason})`);
}
