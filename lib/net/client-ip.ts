import { normalizeIp, peerAddress } from "./peer-address";

/**
 * The client's address for the audit log and the sign-in limits. With `trustedProxies` = 0 it is
 * the socket address; with N it is the address the N-th proxy (counting from Portico) saw, read
 * from the right end of X-Forwarded-For, so whatever a client wrote at the left end is never used.
 * Null when unknown (never a guess).
 */
export function clientIp(headers: Headers, trustedProxies: number): string | null {
  const peer = peerAddress(headers);
  if (!peer || trustedProxies === 0) return peer;
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return normalizeIp(chain[Math.max(0, chain.length - 1 - trustedProxies)]);
}
