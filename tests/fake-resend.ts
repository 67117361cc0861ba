import http from "node:http";
import type { AddressInfo } from "node:net";

type Accepted = { to: string; subject: string; html: string };

export type FakeResend = {
  url: string;
  /** Messages taken for delivery, by idempotency key: each is one email in someone's inbox. */
  accepted: Map<string, Accepted>;
  /** Every message taken for delivery, in order (a send without an idempotency key is always new). */
  deliveries: readonly Accepted[];
  /** Answered requests. */
  requests: number;
  /** Requests that arrived (counted before any delay), and sends per idempotency key (not counting refused ones). */
  received: number;
  sendsByKey: Map<string, number>;
  /** Sends answered from the idempotency record instead of being delivered again. */
  replays: number;
  /** Fail the next n sends with HTTP 500. */
  failNext(n: number): void;
  /** Delay every answer by ms (timeouts); the message is taken on arrival, before the delay. */
  delay(ms: number): void;
  /** Sends to these recipients get no answer at all (the connection stays open) and are not taken. */
  hang(recipients: readonly string[]): void;
  /** Requests that are hanging now. */
  hanging: number;
  close(): Promise<void>;
};

/**
 * A local stand-in for the Resend HTTP API, so the real SDK runs against something we control.
 * Idempotency as Resend documents it: a POST /emails with an Idempotency-Key it has seen is not
 * sent again but answered with the first answer; one whose first request is still in progress is
 * refused with 409 concurrent_idempotent_requests; one with a different payload with 409
 * invalid_idempotent_request. (Resend keeps keys 24 hours; this fake keeps them for its life.)
 */
export async function startFakeResend(): Promise<FakeResend> {
  let failures = 0;
  let delayMs = 0;
  let counter = 0;
  let hangFor = new Set<string>();
  const inProgress = new Set<string>();
  const answers = new Map<string, { payload: string; id: string }>();
  const state = {
    accepted: new Map<string, Accepted>(),
    deliveries: [] as Accepted[],
    requests: 0,
    received: 0,
    replays: 0,
    hanging: 0,
    sendsByKey: new Map<string, number>(),
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    state.requests++;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      state.received++;
      if (req.method !== "POST" || req.url !== "/emails") {
        setTimeout(() => json(res, 404, { name: "not_found", message: "no", statusCode: 404 }), delayMs);
        return;
      }
      const parsed = JSON.parse(body) as { to: string | string[]; subject: string; html: string };
      const to = String(parsed.to);
      if (hangFor.has(to)) {
        state.hanging++;
        res.on("close", () => state.hanging--);
        return;
      }
      // Decided on arrival, so concurrent sends cannot all see the same remaining failure count.
      if (failures > 0) {
        failures--;
        setTimeout(() => json(res, 500, { name: "internal_server_error", message: "provider down", statusCode: 500 }), delayMs);
        return;
      }
      const key = req.headers["idempotency-key"] === undefined ? null : String(req.headers["idempotency-key"]);
      const k = key ?? "none";
      state.sendsByKey.set(k, (state.sendsByKey.get(k) ?? 0) + 1);
      if (key !== null && inProgress.has(key)) {
        json(res, 409, { name: "concurrent_idempotent_requests", message: "Same idempotency key used while the original request is still in progress.", statusCode: 409 });
        return;
      }
      const seen = key === null ? undefined : answers.get(key);
      if (seen) {
        if (seen.payload !== body) {
          json(res, 409, { name: "invalid_idempotent_request", message: "Same idempotency key used with a different request payload.", statusCode: 409 });
          return;
        }
        state.replays++;
        setTimeout(() => json(res, 200, { id: seen.id }), delayMs);
        return;
      }
      const message = { to, subject: parsed.subject, html: parsed.html };
      const id = `re_${key ?? `none-${counter}`}`;
      counter++;
      state.deliveries.push(message);
      if (key !== null) {
        state.accepted.set(key, message);
        answers.set(key, { payload: body, id });
        inProgress.add(key);
      }
      setTimeout(() => {
        if (key !== null) inProgress.delete(key);
        json(res, 200, { id });
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
    get deliveries() {
      return state.deliveries;
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
    get replays() {
      return state.replays;
    },
    get hanging() {
      return state.hanging;
    },
    failNext: (n) => {
      failures = n;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    hang: (recipients) => {
      hangFor = new Set(recipients);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
