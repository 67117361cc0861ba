import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type Received = { id: string; type: string; body: Record<string, unknown>; raw: string; headers: IncomingHttpHeaders; verified: boolean };

/**
 * A webhook receiver as a third party writes one: a node:http server that verifies each message
 * with the `standardwebhooks` library (nobody here wrote it) and deduplicates on webhook-id. It can
 * fail its next N messages on purpose, or answer slowly; `port` brings a closed receiver back on
 * the address its endpoint points at; `onMessage` acts on each new message after it is
 * acknowledged, as a third party's handler would.
 */
export async function startWebhookReceiver(opts: { secret?: string; port?: number; onMessage?: (message: Received) => unknown } = {}) {
  let secret = opts.secret;
  let failNext = 0;
  let delayMs = 0;
  const attempts: Received[] = [];
  const unique = new Map<string, Received>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let verified = false;
      try {
        if (secret) new Webhook(secret).verify(raw, req.headers as Record<string, string>);
        verified = Boolean(secret);
      } catch {
        verified = false;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const got: Received = { id: String(req.headers["webhook-id"]), type: String(body.type), body, raw, headers: req.headers, verified };
      attempts.push(got);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (failNext > 0) {
        failNext--;
        res.writeHead(500, { "content-type": "text/plain" }).end("receiver failing on purpose");
        return;
      }
      if (!verified) {
        res.writeHead(401, { "content-type": "text/plain" }).end("bad signature");
        return;
      }
      const first = !unique.has(got.id);
      if (first) unique.set(got.id, got);
      res.writeHead(204).end();
      // A third party acts after answering (a slow handler must not turn into a retry), once per message.
      if (first) void opts.onMessage?.(got);
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    attempts,
    /** Messages accepted, once each (deduplicated on webhook-id). */
    unique,
    setSecret: (s: string) => {
      secret = s;
    },
    failNext: (n: number) => {
      failNext = n;
    },
    delay: (ms: number) => {
      delayMs = ms;
    },
    ofType: (type: string) => [...unique.values()].filter((m) => m.type === type),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
