import http from "node:http";
import https from "node:https";
import { ATTEMPT_TIMEOUT_MS, RESPONSE_BYTES_KEPT } from "./schedule";
import { type TargetPolicy, guardedLookup, literalAddressProblem } from "./targets";

/**
 * The answer as the log can hold it: UTF-8 (invalid bytes become U+FFFD) without U+0000, which a
 * Postgres text column refuses; a receiver's NUL must not stop its attempt from being recorded.
 */
const loggable = (bytes: Buffer) => bytes.toString("utf8").replaceAll("\u0000", "");

export type SendOutcome = { statusCode: number | null; durationMs: number; responseBody: string; error: string | null; succeeded: boolean };

/**
 * POSTs one signed message. Succeeds on a 2xx within the timeout; a redirect is a failure (never
 * followed, so it cannot lead to an unchecked address). Reads at most 4 KB of the answer.
 */
export function postMessage(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  policy: TargetPolicy,
  timeoutMs = ATTEMPT_TIMEOUT_MS,
): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // Refusals come before the request, as an outcome like any other (never a throw: the attempt
  // must reach the delivery log).
  const refused = (error: string): Promise<SendOutcome> => Promise.resolve({ statusCode: null, responseBody: "", error, durationMs: elapsed(), succeeded: false });
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refused("invalid URL");
  }
  const literal = literalAddressProblem(url, policy);
  if (literal) return refused(literal.message);
  if (url.protocol === "http:" && !policy.allowHttp) return refused("refused: http is not allowed (PORTICO_WEBHOOK_ALLOW_HTTP is off)");
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const inFlight: { req?: http.ClientRequest } = {};
    // Started first: a refusal before the request is made calls `finish` (which clears it) at once.
    const timer = setTimeout(() => {
      finish({ statusCode: null, responseBody: "", error: `timeout: no complete answer within ${timeoutMs / 1000} s` });
      inFlight.req?.destroy();
    }, timeoutMs);
    const finish = (o: Omit<SendOutcome, "durationMs" | "succeeded">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...o, durationMs: elapsed(), succeeded: o.error === null && o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300 });
    };
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "Portico-Webhooks/1" },
        lookup: guardedLookup(policy) as never,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => {
          finish({ statusCode: res.statusCode ?? null, responseBody: loggable(Buffer.concat(chunks).subarray(0, RESPONSE_BYTES_KEPT)), error: null });
          res.destroy();
        };
        res.on("data", (chunk: Buffer) => {
          if (kept < RESPONSE_BYTES_KEPT) chunks.push(chunk);
          kept += chunk.length;
          if (kept >= RESPONSE_BYTES_KEPT) done();
        });
        res.on("end", done);
        res.on("error", done);
      },
    );
    inFlight.req = req;
    req.on("error", (err: NodeJS.ErrnoException) => {
      const error = err.code === "EPRIVATETARGET" ? err.message : `network error: ${err.code ?? err.message}`;
      finish({ statusCode: null, responseBody: "", error });
    });
    req.end(body);
  });
}
