import http from "node:http";

/** Raw HTTP for tests that need what fetch hides: chunked or oversized uploads (Vitest and Playwright share it). */

export type RawAnswer = { status: number; body: string; headers: http.IncomingHttpHeaders };

/**
 * POSTs `total` bytes in 16 KiB chunks, with Content-Length or chunked (none), and resolves with the
 * answer as soon as it arrives (the server may refuse before the upload ends). A dropped connection rejects.
 */
export function upload(url: string, total: number, opts: { withLength: boolean; headers?: Record<string, string> }) {
  return new Promise<RawAnswer>((resolve, reject) => {
    // A connection of its own: a refused upload's socket is never reused for the next request.
    const req = http.request(url, {
      agent: false,
      method: "POST",
      headers: { ...opts.headers, ...(opts.withLength ? { "content-length": String(total) } : {}) },
    });
    let answered = false;
    let closedEarly = false;
    req.on("response", (res) => {
      answered = true;
      collect(res, resolve);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // A server that refuses an upload may answer and close while we still write: the write then
      // fails (EPIPE/ECONNRESET) although the answer is on its way, as curl would show. Wait for it
      // a moment; a connection dropped with no answer at all still rejects.
      if ((error.code === "EPIPE" || error.code === "ECONNRESET") && !answered) {
        closedEarly = true;
        setTimeout(() => answered || reject(error), 2000);
        return;
      }
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(16 * 1024, "a");
    let sent = 0;
    const pump = () => {
      while (sent < total && !closedEarly) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      if (!closedEarly) req.end();
    };
    pump();
  });
}

export function collect(res: http.IncomingMessage, resolve: (a: RawAnswer) => void) {
  let body = "";
  res.setEncoding("utf8");
  res.on("data", (c: string) => (body += c));
  res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
}
