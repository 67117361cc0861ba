import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPeerAddressHeader } from "@/lib/net/peer-address";
import { devMailboxAnswers } from "./dev-mailbox-access";
import { webHeaders } from "@/lib/net/node-headers";

installPeerAddressHeader();
const development = { devMailbox: true, devMailboxForAnyone: false };
let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const headers = webHeaders(req.headers);
    res.end(JSON.stringify(devMailboxAnswers(headers, development)));
  });
  // Every interface, so the test can also arrive from a non-loopback address of this machine.
  await new Promise<void>((resolve) => server.listen(0, "::", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function answers(host: string, headers: Record<string, string> = {}) {
  return new Promise<boolean>((resolve, reject) => {
    const req = http.request({ host, port, path: "/", headers }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(JSON.parse(body) as boolean));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("devMailboxAnswers", () => {
  it("in development answers a browser on this machine", async () => {
    expect(await answers("127.0.0.1")).toBe(true);
    expect(await answers("::1")).toBe(true);
  });

  it("refuses a browser on another machine (here: this machine's own network address)", async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    if (!external) return void console.log("no non-loopback interface: skipped");
    expect(await answers(external)).toBe(false);
  });

  it("refuses a request a local proxy forwarded for someone else", async () => {
    expect(await answers("127.0.0.1", { "X-Forwarded-For": "203.0.113.9" })).toBe(false);
  });

  it("refuses headers this process did not mark, and is off without the setting", () => {
    expect(devMailboxAnswers(new Headers(), development)).toBe(false);
    expect(
      devMailboxAnswers(new Headers(), { devMailbox: false, devMailboxForAnyone: false }),
    ).toBe(false);
    expect(devMailboxAnswers(new Headers(), { devMailbox: true, devMailboxForAnyone: true })).toBe(
      true,
    );
  });
});
