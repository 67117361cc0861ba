/** A request body went past its limit; nothing past the limit was kept. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

/** What a Content-Length header promises, when it promises too much (a chunked body has none). */
export function declaresMoreThan(headers: Headers, limit: number): boolean {
  const length = Number(headers.get("content-length") ?? "");
  return Number.isFinite(length) && length > limit;
}

/** How much of an over-limit body is read and thrown away before the 413 (see lingerOver). */
const LINGER_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 2000;

/**
 * Reads a body stream as UTF-8 text, holding at most `limit` bytes: past it, nothing more is kept
 * and BodyTooLargeError is thrown.
 */
export async function readTextWithin(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await lingerOver(reader);
        throw new BodyTooLargeError(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * A lingering close, as NGINX does it: the rest of a refused upload is read and dropped (never
 * kept) for up to 16 MB or 2 s before the 413 goes out. A server that answers and closes with the
 * client's bytes still unread makes the kernel reset the connection, and the reset can reach the
 * client before the 413 does (seen under load); a bigger or slower body is still cut off after that.
 */
async function lingerOver(reader: ReadableStreamDefaultReader<Uint8Array>) {
  const until = Date.now() + LINGER_MS;
  let dropped = 0;
  while (dropped < LINGER_BYTES && Date.now() < until) {
    const read = reader.read();
    // A read still pending when time runs out is rejected by releaseLock; nobody waits for it then.
    read.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), until - Date.now());
    });
    const next = await Promise.race([read, timeUp]).finally(() => clearTimeout(timer));
    if (!next || next.done) return;
    dropped += next.value.byteLength;
  }
}

export function payloadTooLarge(limit: number): Response {
  return Response.json(
    { error: "payload_too_large", message: `The request body is over the limit of ${limit.toLocaleString("en")} bytes. Send a smaller body.` },
    { status: 413, headers: { "Cache-Control": "no-store" } },
  );
}

/**
 * Counts a body stream's bytes without keeping them: true once it goes past `limit`. For checks in
 * front of a handler that reads the body itself (server actions: see proxy.ts).
 */
export async function streamExceeds(body: ReadableStream<Uint8Array> | null, limit: number): Promise<boolean> {
  if (!body) return false;
  const reader = body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      size += value.byteLength;
      if (size > limit) return true;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Server actions' limit on every page but the key import. */
export const ACTION_BODY_LIMIT = 2 * 1024 * 1024;
/**
 * The key import page (Admin → Keys → Import) takes a CSV of up to 5 MB (lib/keys/import-keys.ts)
 * as multipart form data; next.config.mjs sets serverActions.bodySizeLimit to this ("6mb"), and
 * this proxy keeps every other page at ACTION_BODY_LIMIT.
 */
export const IMPORT_BODY_LIMIT = 6 * 1024 * 1024;

/**
 * The most a request to `path` may send, enforced by proxy.ts for everything it sees (the verify
 * route, which the proxy skips, reads within its own 8 KiB). Auth.js reads sign-in and sign-out
 * forms whole: an email address and a CSRF token. Other API routes take small JSON. Pages take
 * server actions, whose largest form is a product with its OpenAPI document.
 */
export function bodyLimitFor(path: string): number {
  if (path.startsWith("/api/auth/")) return 16 * 1024;
  if (path.startsWith("/api/")) return 64 * 1024;
  if (path === "/admin/keys/import") return IMPORT_BODY_LIMIT;
  return ACTION_BODY_LIMIT;
}
