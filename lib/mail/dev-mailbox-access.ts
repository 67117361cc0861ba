import { env } from "@/lib/env";
import { normalizeIp, peerAddress } from "@/lib/net/peer-address";

/**
 * The dev mailbox shows sign-in links, so it answers only while mail stays local, and then only
 * to a browser on this machine: in development that is the loopback socket address with no proxy
 * forwarding someone else's request. PORTICO_DEV_MAILBOX=on opens it to anyone (demos, e2e).
 */
export function devMailboxAnswers(
  headers: Headers,
  settings: { devMailbox: boolean; devMailboxForAnyone: boolean } = env,
) {
  if (!settings.devMailbox) return false;
  if (settings.devMailboxForAnyone) return true;
  return isLoopbackClient(headers);
}

function isLoopbackClient(headers: Headers) {
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .filter((entry) => entry.trim() !== "");
  return [peerAddress(headers), ...forwarded.map((entry) => normalizeIp(entry))].every(isLoopback);
}

const isLoopback = (ip: string | null) => ip !== null && (ip === "::1" || /^127\./.test(ip));
