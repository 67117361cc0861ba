import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Sql } from "postgres";
import { BodyTooLargeError } from "@/lib/http/body-limit";
import { apiSecurityHeaders } from "@/lib/http/security-headers";
import { type VerifyContext, processVerifyContext } from "./verify-context";
import { logRefusal, verifyHttp, verifyUnavailable } from "./verify-http";
import { headerReader } from "@/lib/net/node-headers";

/** How long a refused oversized upload may keep sending (discarded) so the client can read its 413. */
const LINGER_MS = 2000;

/**
 * Reads the request body within `limit` bytes. Past it: stops keeping data, lets the rest drain
 * (discarded, so the socket stays readable and the client gets its 413 instead of a reset), and
 * throws BodyTooLargeError.
 */
function readBodyWithin(req: http.IncomingMessage, limit: number) {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData);
      req.off("end", onEnd);
      chunks.length = 0;
      req.resume();
      reject(new BodyTooLargeError(limit));
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString("utf8"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

/**
 * A dedicated listener for gateways: the same /api/v1/keys/verify contract as the Next route
 * (lib/keys/verify-http.ts), without the page framework in the hot path. Serves only that path.
 */
export async function startVerifyServer(opts: {
  sql: Sql;
  prefix: string;
  port: number;
  host?: string;
  baseUrl?: string;
  /** Limits, usage and last-used stamps; defaults to the process's (shared with the Next route). */
  context?: VerifyContext;
  /** false: no counting at all (the bench's "before limits" line); plans' limits are then not enforced. */
  limits?: boolean;
  /** false: every lookup asks the database (the bench's "without cache" line). */
  cache?: boolean;
}) {
  const context = opts.context ?? processVerifyContext(opts.sql);
  const { limiter, lastUsed, importedKeys, accessTokens } = context;
  const counting = opts.limits === false ? undefined : limiter;
  const lookup = opts.cache === false ? context.lookupUncached : context.lookup;
  const security = apiSecurityHeaders(opts.baseUrl ?? "");
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const closing = status === 413;
      res.writeHead(status, {
        ...security,
        ...headers,
        "content-type": "application/json",
        "cache-control": "no-store",
        ...(closing ? { connection: "close" } : {}),
      });
      res.end(JSON.stringify(body));
      // An oversized upload may still be arriving: give the client a moment to read the answer, then cut it off.
      if (closing) setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
    };
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/api/v1/keys/verify") return send(404, { valid: false, error: "Only /api/v1/keys/verify is served here." });
    if (req.method !== "GET" && req.method !== "POST") return send(405, { valid: false, error: "Use GET or POST." }, { allow: "GET, POST" });
    const headers = headerReader(req.headers);
    verifyHttp({ method: req.method, url: req.url ?? "/", headers, readBody: (limit) => readBodyWithin(req, limit) }, lookup, {
      prefix: opts.prefix,
      limiter: counting,
      importedKeys: importedKeys.get,
      accessTokens,
    }).then(
      (result) => {
        if (result.status === 200) lastUsed.mark(String(result.body.keyId));
        logRefusal(result);
        send(result.status, result.body, result.headers);
      },
      (error: unknown) => {
        const answer = verifyUnavailable(error);
        send(answer.status, answer.body, answer.headers);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? "127.0.0.1", resolve));
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
