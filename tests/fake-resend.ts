import http from "node:http";
import type { AddressInfo } from "node:net";

export type FakeResend = {
  url: string;
  /** Accepted sends, by idempotency key. */
  accepted: Map<string, { to: string; subject: string; html: string }>;
  requests: number;
  /** Requests that arrived (counted before any delay), and sends per idempotency key. */
  received: number;
  sendsByKey: Map<string, number>;
  /** Fail the next n sends with HTTP 500. */
  failNext(n: number): void;
  /** Delay every answer by ms (timeouts). */
  delay(ms: number): void;
  close(): Promise<void>;
};

/** A local stand-in for the Resend HTTP API, so the real SDK runs against something we control. */
export async function startFakeResend(): Promise<FakeResend> {
  let failures = 0;
  let delayMs = 0;
  let counter = 0;
  const state = {
    accepted: new Map<string, { to: string; subject: string; html: string }>(),
    requests: 0,
    received: 0,
    sendsByKey: new Map<string, number>(),
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      state.received++;
      // Decided on arrival, so concurrent sends cannot all see the same remaining failure count.
      const fail = req.method === "POST" && req.url === "/emails" && failures > 0;
      if (fail) failures--;
      if (req.method === "POST" && !fail) {
        const k = String(req.headers["idempotency-key"] ?? "none");
        state.sendsByKey.set(k, (state.sendsByKey.get(k) ?? 0) + 1);
      }
      setTimeout(() => {
        state.requests++;
        if (req.method !== "POST" || req.url !== "/emails") {
          res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ name: "not_found", message: "no", statusCode: 404 }));
          return;
        }
        if (fail) {
          res.writeHead(500, { "content-type": "application/json" }).end(
            JSON.stringify({ name: "internal_server_error", message: "provider down", statusCode: 500 }),
          );
          return;
        }
        const key = String(req.headers["idempotency-key"] ?? `none-${counter}`);
        const parsed = JSON.parse(body) as { to: string | string[]; subject: string; html: string };
        if (!state.accepted.has(key)) {
          state.accepted.set(key, { to: String(parsed.to), subject: parsed.subject, html: parsed.html });
        }
        counter++;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: `re_${key}` }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return state.accepted;
    },
    get requests() {
      return state.requests;
    },
    get received() {
      return state.received;
    },
    get sendsByKey() {
      return state.sendsByKey;
    },
    failNext: (n) => {
      failures = n;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
