import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Sql } from "postgres";
import { lastUsedRecorder } from "./last-used";
import { verifyHttp } from "./verify-http";
import { lookupKey } from "./verify-key";

/**
 * A dedicated listener for gateways: the same /api/v1/keys/verify contract as the Next route
 * (lib/keys/verify-http.ts), without the page framework in the hot path. Serves only that path.
 */
export async function startVerifyServer(opts: { sql: Sql; prefix: string; port: number; host?: string }) {
  const lastUsed = lastUsedRecorder(opts.sql);
  const lookup = (hash: string) => lookupKey(opts.sql, hash);
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...headers, "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/api/v1/keys/verify") return send(404, { valid: false, error: "Only /api/v1/keys/verify is served here." });
    if (req.method !== "GET" && req.method !== "POST") return send(405, { valid: false, error: "Use GET or POST." }, { allow: "GET, POST" });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const text = () =>
      new Promise<string>((resolve, reject) => {
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (chunk: string) => {
          body += chunk;
          if (body.length > 8192) req.destroy();
        });
        req.on("end", () => resolve(body));
        req.on("error", reject);
      });
    verifyHttp({ method: req.method, url: req.url ?? "/", headers, text }, lookup, { prefix: opts.prefix }).then(
      (result) => {
        if (result.status === 200) lastUsed.mark(String(result.body.keyId));
        send(result.status, result.body, result.headers);
      },
      (error: unknown) => {
        console.error("verify failed:", error instanceof Error ? error.message : error);
        send(503, { valid: false, error: "Portico cannot check keys right now; retry shortly." });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? "127.0.0.1", resolve));
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
