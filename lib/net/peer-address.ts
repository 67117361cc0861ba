import { randomBytes } from "node:crypto";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";

/**
 * `next start` keeps an X-Forwarded-For header the client sent and only fills it with the socket
 * address when it is missing (next/dist/server/base-server.js: `x-forwarded-for ??= …`), and route
 * handlers and server actions never see the socket. So this process marks every request it accepts
 * with the socket address itself, under a per-process nonce a client cannot know: a header the
 * client sent under the same name is overwritten, and one that arrives without the nonce is ignored.
 */
export const PEER_HEADER = "x-portico-peer";
const NONCE = Symbol.for("portico.peer-address-nonce");
type WithNonce = typeof globalThis & { [NONCE]?: string };

/** Called once per server process (instrumentation-node.ts) before requests are handled. */
export function installPeerAddressHeader() {
  const global = globalThis as WithNonce;
  if (global[NONCE]) return;
  const nonce = randomBytes(18).toString("base64url");
  global[NONCE] = nonce;
  for (const Server of [http.Server, https.Server]) {
    const emit = Server.prototype.emit;
    Server.prototype.emit = function (
      this: http.Server,
      event: string | symbol,
      ...args: unknown[]
    ) {
      if (event === "request") {
        const request = args[0] as IncomingMessage;
        request.headers[PEER_HEADER] = `${nonce} ${request.socket.remoteAddress ?? "-"}`;
      }
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    } as typeof emit;
  }
}

/** The socket address of the request these headers came with, or null if this process did not mark it. */
export function peerAddress(headers: Headers): string | null {
  const nonce = (globalThis as WithNonce)[NONCE];
  const [given, address] = headers.get(PEER_HEADER)?.split(" ") ?? [];
  if (!nonce || given !== nonce || !address) return null;
  return normalizeIp(address);
}

/** A bare IPv4 or IPv6 address (IPv4-mapped IPv6 as IPv4), or null for anything else. */
export function normalizeIp(value: string | undefined): string | null {
  const trimmed = value?.trim().toLowerCase() ?? "";
  const bare =
    trimmed.startsWith("::ffff:") && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
  return isIP(bare) ? bare : null;
}
