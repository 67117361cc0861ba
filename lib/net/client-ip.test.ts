import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";
import { PEER_HEADER, installPeerAddressHeader, normalizeIp } from "./peer-address";
import { webHeaders } from "@/lib/net/node-headers";

// A real server in this process, marked the way instrumentation-node.ts marks Next's.
installPeerAddressHeader();
let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const headers = webHeaders(req.headers);
    const hops = Number(new URL(req.url ?? "/", "http://x").searchParams.get("hops"));
    res.end(JSON.stringify({ ip: clientIp(headers, hops) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function ipSeen(hops: number, headers: Record<string, string> = {}) {
  return new Promise<string | null>((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: `/?hops=${hops}`, headers },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve((JSON.parse(body) as { ip: string | null }).ip));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("clientIp", () => {
  it("with no trusted proxy is the socket address, whatever the client wrote", async () => {
    expect(await ipSeen(0)).toBe("127.0.0.1");
    expect(
      await ipSeen(0, {
        "X-Forwarded-For": "203.0.113.66",
        "X-Real-IP": "203.0.113.67",
        [PEER_HEADER]: "guess 203.0.113.68",
      }),
    ).toBe("127.0.0.1");
  });

  it("with N trusted proxies reads the N-th entry from the right of X-Forwarded-For", async () => {
    // client wrote 203.0.113.66; proxy 2 saw 198.51.100.7 and appended it; proxy 1 (10.0.0.2) appended what it saw
    const chain = { "X-Forwarded-For": "203.0.113.66, 198.51.100.7, 10.0.0.2" };
    expect(await ipSeen(1, chain)).toBe("10.0.0.2");
    expect(await ipSeen(2, chain)).toBe("198.51.100.7");
    // More hops trusted than entries: the farthest address there is.
    expect(await ipSeen(9, { "X-Forwarded-For": "198.51.100.7" })).toBe("198.51.100.7");
    // A trusted proxy that passed garbage: unknown, never the garbage.
    expect(await ipSeen(1, { "X-Forwarded-For": "<script>" })).toBeNull();
  });

  it("is unknown for headers this process did not mark", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.66" }), 0)).toBeNull();
    expect(
      clientIp(
        new Headers({ "x-forwarded-for": "203.0.113.66", [PEER_HEADER]: "guess 203.0.113.66" }),
        1,
      ),
    ).toBeNull();
  });

  it("normalises addresses", () => {
    expect(normalizeIp("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeIp(" 2001:DB8::1 ")).toBe("2001:db8::1");
    expect(normalizeIp("203.0.113.1:443")).toBeNull();
    expect(normalizeIp("unknown")).toBeNull();
  });
});
