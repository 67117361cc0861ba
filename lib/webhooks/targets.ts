import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Where a webhook may be sent. Only public unicast addresses are reachable unless
 * PORTICO_WEBHOOK_ALLOW_PRIVATE=on (tests, local use): loopback, private, link-local (cloud metadata
 * at 169.254.169.254 among them), carrier-grade NAT, unique-local, multicast and reserved ranges
 * are refused when an endpoint is saved and again at every send, on the address actually
 * connected to, so a name that re-resolves to a private address later (DNS rebinding) is refused too.
 */
export type TargetPolicy = { allowHttp: boolean; allowPrivate: boolean };

export function targetPolicy(env: NodeJS.ProcessEnv = process.env): TargetPolicy {
  return { allowHttp: env.PORTICO_WEBHOOK_ALLOW_HTTP === "on", allowPrivate: env.PORTICO_WEBHOOK_ALLOW_PRIVATE === "on" };
}

const IPV4_COMPATIBLE = ipaddr.parseCIDR("::/96") as [ipaddr.IPv6, number];

/** The address's range as ipaddr.js names it ("unicast" is the only public one), or null if not an IP. */
export function addressRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return null;
  const addr = ipaddr.process(address);
  const range = addr.range();
  // ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291) is "unicast" to ipaddr.js, yet a host with
  // an automatic tunnel reaches the embedded IPv4 address through it: ::127.0.0.1 is loopback there.
  if (range === "unicast" && addr.kind() === "ipv6" && addr.match(IPV4_COMPATIBLE)) return "ipv4Compatible";
  return range;
}

export const isPublicAddress = (address: string) => addressRange(address) === "unicast";

// ipaddr.js's range names, as a person reads them ("linkLocal" is "link-local"); others are split at their capitals.
const RANGE_WORDS: Record<string, string> = {
  linkLocal: "link-local",
  uniqueLocal: "unique-local",
  carrierGradeNat: "carrier-grade NAT",
  ipv4Mapped: "IPv4-mapped",
  ipv4Compatible: "IPv4-compatible",
  rfc6145: "IPv4-translated",
  rfc6052: "IPv4-embedded",
  teredo: "Teredo",
  siteLocal: "site-local",
  amt: "AMT",
  as112: "AS112",
  as112v6: "AS112",
  orchid2: "ORCHIDv2",
  droneRemoteIdProtocolEntityTags: "DRIP",
};

/** An ipaddr.js range name in words: "linkLocal" is "link-local". */
export const rangeWords = (range: string) => RANGE_WORDS[range] ?? range.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);

/** The kind of address, in words, with its article, for a message: "a link-local address", "an IPv4-mapped address". */
export function addressRangeWords(address: string): string {
  const range = addressRange(address);
  const words = range ? rangeWords(range) : "non-public";
  // "an unspecified", "an IPv4-…", but "a unique-local" (said "you").
  return `${/^(?!uni)[aeiou]|^IPv/i.test(words) ? "an" : "a"} ${words} address`;
}

export class PrivateTargetError extends Error {
  code = "EPRIVATETARGET";
  constructor(readonly address: string) {
    super(`refused: ${address} is ${addressRangeWords(address)}`);
  }
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

/** Why this URL may not be a webhook target, or null when it may (URL form and scheme only; no DNS). */
export function urlProblem(raw: string, policy: TargetPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "Enter a full URL such as https://billing.example.com/portico-webhooks.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Use an https:// URL.";
  if (url.protocol === "http:" && !policy.allowHttp) return "Use an https:// URL (http is allowed only when PORTICO_WEBHOOK_ALLOW_HTTP=on).";
  if (url.username || url.password) return "Leave credentials out of the URL; verify the webhook signature instead.";
  if (url.hash || raw.includes("#")) return "Remove the #fragment: it is never sent to the server.";
  if (raw.length > 2000) return "Use a URL of at most 2,000 characters.";
  return null;
}

/**
 * Resolves the URL's host and says why it may not be used (a private address, or a name that does
 * not resolve), or null. Used when an endpoint is saved; sending checks again (guardedLookup).
 */
export async function targetProblem(raw: string, policy: TargetPolicy): Promise<string | null> {
  const form = urlProblem(raw, policy);
  if (form) return form;
  if (policy.allowPrivate) return null;
  const host = hostOf(new URL(raw));
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return `“${host}” does not resolve: check the host name.`;
    }
  }
  const blocked = addresses.find((a) => !isPublicAddress(a));
  if (blocked) return `“${host}” resolves to ${blocked}, ${addressRangeWords(blocked)}: webhooks go only to public addresses.`;
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http(s) that resolves as usual and then refuses any non-public address, so
 * the check applies to the very address the socket connects to.
 */
export function guardedLookup(policy: TargetPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true } as never, (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err) return callback(err, options.all ? [] : "");
      const allowed = policy.allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) return callback(new PrivateTargetError(addresses[0]?.address ?? hostname), options.all ? [] : "");
      if (options.all) return callback(null, allowed);
      const [first] = allowed as [LookupAddress, ...LookupAddress[]];
      callback(null, first.address, first.family);
    });
  };
}

/** An IP-literal URL is never looked up, so its address is checked here before connecting. */
export function literalAddressProblem(url: URL, policy: TargetPolicy): PrivateTargetError | null {
  const host = hostOf(url);
  if (policy.allowPrivate || !isIP(host) || isPublicAddress(host)) return null;
  return new PrivateTargetError(host);
}
