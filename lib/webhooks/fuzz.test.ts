import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/permissions";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { endpointInput } from "./endpoint-schema";
import { webhookEventTypes as WEBHOOK_EVENT_TYPES } from "./event-types";
import { createWebhookEndpoint } from "./manage";
import { postMessage } from "./send";

/**
 * 10,000 generated endpoint forms, each with exactly one bad field (the others valid, so the
 * refusal must come from that field), through createWebhookEndpoint under the strict production
 * policy: every one is refused as "invalid" with an error on that field, and nothing is written.
 * Seeded, so a failure names a reproducible case.
 */

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const strict = { allowHttp: false, allowPrivate: false };
let admin: Actor;

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const rand = prng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)] as T;

// A public address that needs no DNS: the valid base form is accepted as is (checked below).
const PUBLIC = "93.184.215.14";
const VALID_URL = `https://${PUBLIC}/portico-hooks`;

const HOSTILE = ["<script>alert(1)</script>", "'; drop table webhook_endpoints; --", "Robert'); --", "ﷺ‮evil", "𝕳𝖔𝖔𝖐 🪝", "\\\\server\\share", "${jndi:ldap://x}", "{{7*7}}", "%00%0d%0a", "..%2f..%2f", "ＡＢＣ", "null", "undefined", "__proto__", "constructor"];
const CONTROL = ["\u0000", "\u0001", "\u0007", "\b", "\t", "\n", "\r", "\u001b", "\u007f"];

function text(max: number) {
  const parts: string[] = [];
  const n = 1 + int(6);
  for (let i = 0; i < n; i++) {
    const cp = 0x20 + int(0x2fff);
    parts.push(rand() < 0.5 ? pick(HOSTILE) : String.fromCodePoint(cp >= 0x7f && cp <= 0x9f ? cp + 0x40 : cp));
  }
  // a letter first, so trimming never leaves it empty
  return `N${parts.join("")}`.slice(0, max);
}
const huge = () => "x".repeat(pick([81, 501, 2001, 10_000, 100_000, 1_000_000]));
const notAString = () => pick<unknown>([null, 42, true, {}, [], ["https://x"], { toString: "x" }]);

/** Private and special addresses, in every notation the URL parser accepts. */
const PRIVATE_HOSTS = [
  "127.0.0.1", "2130706433", "0177.0.0.1", "0x7f.1", "0x7f000001", "127.1", "017700000001", "0x7f.0x0.0x0.0x1", "%31%32%37.0.0.1", "１２７.０.０.１",
  "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::127.0.0.1]", "[::ffff:a9fe:a9fe]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]",
  "0.0.0.0", "0", "[::]", "169.254.169.254", "0xa9.0xfe.0xa9.0xfe", "2852039166", "100.64.0.1", "10.0.0.1", "10.1", "172.16.0.1", "192.168.1.1", "198.18.0.1",
  "192.0.2.1", "224.0.0.1", "255.255.255.255", "240.0.0.1", "[fd00::1]", "[fe80::1]", "[fc00::abcd]", "[ff02::1]", "[2001:db8::1]", "[::ffff:0:7f00:1]",
];
/** Names that resolve to loopback (or do not resolve at all, offline): refused either way, after a lookup. */
const RESOLVING_HOSTS = ["localhost", "LOCALHOST", "localhost.", "api.localhost", "nope.invalid", "hooks.test"];

const BAD_URLS: (() => unknown)[] = [
  () => pick(["", "   ", "not a url", "//example.com/x", "https//example.com", "https:/", "https://", "http://[::1", "https://exa mple.com/", "example.com/hooks", "/relative"]),
  () => pick(["javascript:alert(1)", "JavaScript:fetch('//x')", " javascript:alert(document.domain)", "file:///etc/passwd", "ftp://example.com/x", "data:text/plain,hi", "gopher://x:70/", "ws://example.com/", "wss://example.com/", "mailto:a@b.c", "ldap://x", "chrome://settings"]),
  () => `http://${PUBLIC}/hooks`, // http while not allowed
  () => pick([`https://user:pass@${PUBLIC}/x`, `https://user@${PUBLIC}/x`, `https://:p@${PUBLIC}/`, `https://${PUBLIC}@127.0.0.1/`]),
  () => `${VALID_URL}#${pick(["frag", "", "x?y"])}`.replace(/#$/, "#"),
  () => `https://${pick(PRIVATE_HOSTS)}${pick(["", ":443", ":8443", ":1"])}/hooks`,
  () => `https://${"a".repeat(2000)}.example.com/`,
  () => `${VALID_URL}?${"q".repeat(2001)}`,
  () => `https://${PUBLIC}/\u0000x`.replace("/\u0000", pick(["/\u0000", "\u0000"])),
  notAString,
];

type Case = { field: "name" | "description" | "url" | "eventTypes" | "productIds" | "enabled"; input: Record<string, unknown> };

function generate(i: number): Case {
  const base: Record<string, unknown> = { name: `Fuzz ${i} ${text(40)}`.slice(0, 80), url: VALID_URL, eventTypes: "all", productIds: "all" };
  if (rand() < 0.3) base.description = text(200);
  if (rand() < 0.3) base.eventTypes = [pick(WEBHOOK_EVENT_TYPES)];
  const r = rand();
  if (r < 0.15) {
    const name = pick<() => unknown>([() => "", () => "   \t ", huge, notAString, () => `Fuzz ${i}${pick(CONTROL)}${text(10)}`]);
    return { field: "name", input: { ...base, name: name() } };
  }
  if (r < 0.22) {
    const description = pick<() => unknown>([huge, () => pick([42, null, {}, []]), () => `${text(20)}${pick(CONTROL.filter((c) => !"\t\n\r".includes(c)))}`]);
    const d = description();
    return { field: "description", input: { ...base, description: typeof d === "string" && d.trim().length < 501 && endpointInput.shape.description.safeParse(d).success ? "x".repeat(501) : d } };
  }
  if (r < 0.75) {
    // a few that need a DNS lookup; the rest are refused on their form or their literal address
    const url = rand() < 0.05 ? `https://${pick(RESOLVING_HOSTS)}/hooks` : pick(BAD_URLS)();
    return { field: "url", input: { ...base, url } };
  }
  if (r < 0.88) {
    const eventTypes = pick<() => unknown>([
      () => [...WEBHOOK_EVENT_TYPES.slice(0, int(3)), pick(["access_request.created ", "ACCESS_REQUEST.CREATED", "key.*", "*", "", "webhook.test", "__proto__", "constructor", "toString", "hasOwnProperty", "access_request", text(30)])],
      () => [],
      () => pick(["ALL", "All", " all", "none", "*", "", null, 1, true, {}]),
      () => [1, 2],
      () => Array.from({ length: 51 }, () => pick(WEBHOOK_EVENT_TYPES)),
    ]);
    return { field: "eventTypes", input: { ...base, eventTypes: eventTypes() } };
  }
  if (r < 0.98) {
    const productIds = pick<() => unknown>([
      () => [crypto.randomUUID()],
      () => [f.product("payments").id, `${f.product("payments").id} `],
      () => [pick(["", "' or 1=1 --", "../../etc", text(30)])],
      () => [],
      () => pick(["ALL", "any", null, 7, {}]),
      () => ["p".repeat(101)],
      () => Array.from({ length: 501 }, (_, k) => `p${k}`),
      () => [42],
    ]);
    return { field: "productIds", input: { ...base, productIds: productIds() } };
  }
  return { field: "enabled", input: { ...base, enabled: pick(["yes", "true", 1, 0, null, "on"]) } };
}

const count = async () => {
  const [row] = await t.db.execute<{ endpoints: number; audit: number }>(
    sql`select (select count(*)::int from webhook_endpoints) as endpoints, (select count(*)::int from audit_events) as audit`,
  );
  return row;
};

const show = (v: unknown) => {
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === "string" && x.length > 120 ? `${x.slice(0, 120)}…(${x.length})` : x));
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
};

beforeAll(async () => {
  const u = await f.user("admin");
  admin = { kind: "user", id: u.id, role: "admin", disabled: false };
});

describe("fuzzed endpoint forms", () => {
  it("the valid base form is accepted under the strict policy (so each refusal below is the bad field's)", async () => {
    const { endpoint } = await createWebhookEndpoint(t.db, admin, { name: `Fuzz base ${text(30)}`.slice(0, 80), url: VALID_URL, eventTypes: "all", productIds: [f.product("payments").id] }, strict);
    expect(endpoint.url).toBe(VALID_URL);
  });

  it("every private or special address notation is refused when saved, and again when sent", async () => {
    for (const host of [...PRIVATE_HOSTS, ...RESOLVING_HOSTS.slice(0, 2)]) {
      const url = `https://${host}/hooks`;
      const saved = await createWebhookEndpoint(t.db, admin, { name: `Private ${host}`, url, eventTypes: "all", productIds: "all" }, strict).catch((e: unknown) => e);
      expect(saved, url).toBeInstanceOf(DomainError);
      expect((saved as DomainError).fieldErrors?.url, url).toMatch(/address: webhooks go only to public addresses\.$/);
      const sent = await postMessage(url, {}, "{}", strict, 2000);
      expect(sent.error, url).toMatch(/^refused: /);
    }
  });

  it(`10,000 forms with one bad field each are refused with a field error on that field; nothing is written (seed ${SEED})`, async () => {
    const before = await count();
    const started = performance.now();
    const problems: string[] = [];
    const fields = new Map<string, number>();
    for (let i = 0; i < 10_000; i += 100) {
      const cases = Array.from({ length: 100 }, (_, k) => generate(i + k));
      const outcomes = await Promise.all(cases.map((c) => createWebhookEndpoint(t.db, admin, c.input as never, strict).then(() => "accepted" as const, (e: unknown) => e)));
      outcomes.forEach((e, k) => {
        const c = cases[k] as Case;
        fields.set(c.field, (fields.get(c.field) ?? 0) + 1);
        if (!(e instanceof DomainError)) problems.push(`#${i + k} ${c.field}: ${e === "accepted" ? "ACCEPTED" : `raw error ${String(e)}`} ${show(c.input)}`);
        else if (e.code !== "invalid" || !e.fieldErrors?.[c.field]) problems.push(`#${i + k} ${c.field}: ${e.code} ${show(e.fieldErrors)} ${show(c.input)}`);
      });
    }
    const ms = performance.now() - started;
    console.log(`10,000 fuzzed forms in ${(ms / 1000).toFixed(1)} s; by bad field: ${show(Object.fromEntries(fields))}`);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(await count()).toEqual(before);
  }, 240_000);
});
