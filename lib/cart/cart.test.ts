import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cartItems } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { parseAnonymousCart, serializeAnonymousCart } from "./anonymous-cart";
import { type CartLine, MAX_CART_ITEMS, cartProblems, whyNotAddable } from "./cart-rules";
import { type CartPair, addToAnonymousCart, addToCart, loadCart, mergeIntoCart, removeFromCart } from "./cart-store";

// ---------------------------------------------------------------------------------------------
// Pure rules
// ---------------------------------------------------------------------------------------------

/** A small catalogue so generated lines collide often: product i has one fixed auth method. */
const lineArb = (products: number, plans: number | fc.Arbitrary<number>, authOf: (i: number) => CartLine["authMethod"]) =>
  fc
    .record({
      product: fc.nat(products - 1),
      plan: typeof plans === "number" ? fc.nat(plans - 1) : plans,
      available: fc.nat(9).map((n) => n < 8),
    })
    .map(
      ({ product, plan, available }): CartLine => ({
        productId: `prod-${product}`,
        productName: `Product ${product}`,
        productSlug: `product-${product}`,
        planId: `plan-${plan}`,
        planName: `Plan ${plan}`,
        authMethod: authOf(product),
        available,
      }),
    );

const mixedLines = fc.array(
  lineArb(6, 3, (i) => (i % 3 === 2 ? "oauth2" : "api_key")),
  { maxLength: 30 },
);
/** Mostly one plan and one auth method over many products, so the size limit is reached. */
const bigLines = fc.array(
  lineArb(
    30,
    fc.nat(19).map((n) => (n === 0 ? 1 : 0)),
    (i) => (i === 29 ? "oauth2" : "api_key"),
  ).map((l) => ({ ...l, available: l.productId !== "prod-28" })),
  { minLength: 15, maxLength: 60 },
);
const anyLines = fc.oneof(mixedLines, bigLines);

/** Folds the lines into a cart the way the UI does: each line is offered to the cart so far. */
function acceptLineByLine(lines: readonly CartLine[]) {
  const accepted: CartLine[] = [];
  const refused: { line: CartLine; why: string }[] = [];
  for (const line of lines) {
    const why = whyNotAddable(accepted, line);
    if (why === null) accepted.push(line);
    else refused.push({ line, why });
  }
  return { accepted, refused };
}

const pairKey = (l: { productId: string; planId: string }) => `${l.productId}|${l.planId}`;

describe("cart rules (properties)", () => {
  it("a cart accepted line by line has one plan, one auth method, no duplicates, only available lines, ≤ MAX_CART_ITEMS", () => {
    fc.assert(
      fc.property(anyLines, (lines) => {
        const { accepted } = acceptLineByLine(lines);
        expect(new Set(accepted.map((l) => l.planId)).size).toBeLessThanOrEqual(1);
        expect(new Set(accepted.map((l) => l.authMethod)).size).toBeLessThanOrEqual(1);
        expect(new Set(accepted.map(pairKey)).size).toBe(accepted.length);
        expect(accepted.every((l) => l.available)).toBe(true);
        expect(accepted.length).toBeLessThanOrEqual(MAX_CART_ITEMS);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses exactly the lines that break a rule, with a non-empty reason (and accepts the rest)", () => {
    fc.assert(
      fc.property(anyLines, (lines) => {
        const accepted: CartLine[] = [];
        for (const line of lines) {
          const first = accepted[0];
          const shouldAccept =
            line.available &&
            !accepted.some((a) => pairKey(a) === pairKey(line)) &&
            (!first || (first.planId === line.planId && first.authMethod === line.authMethod && accepted.length < MAX_CART_ITEMS));
          const why = whyNotAddable(accepted, line);
          if (shouldAccept) {
            expect(why).toBeNull();
            accepted.push(line);
          } else {
            expect(typeof why).toBe("string");
            expect(why?.length).toBeGreaterThan(10);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("an unavailable line is always refused, whatever the cart holds", () => {
    fc.assert(
      fc.property(anyLines, lineArb(6, 3, () => "api_key"), (lines, candidate) => {
        const { accepted } = acceptLineByLine(lines);
        const why = whyNotAddable(accepted, { ...candidate, available: false });
        expect(why).toMatch(/does not offer/);
      }),
    );
  });

  it("cartProblems reports one problem per refused line, and none only for a valid non-empty cart", () => {
    fc.assert(
      fc.property(anyLines, (lines) => {
        const problems = cartProblems(lines);
        if (lines.length === 0) {
          expect(problems).toEqual([expect.stringMatching(/empty/)]);
          return;
        }
        const { refused } = acceptLineByLine(lines);
        expect(problems).toEqual(refused.map((r) => r.why));
        const valid =
          lines.every((l) => l.available) &&
          new Set(lines.map(pairKey)).size === lines.length &&
          new Set(lines.map((l) => l.planId)).size === 1 &&
          new Set(lines.map((l) => l.authMethod)).size === 1 &&
          lines.length <= MAX_CART_ITEMS;
        expect(problems.length === 0).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });

  it("the size limit: the 21st valid line is refused and named as such", () => {
    const lines = Array.from(
      { length: MAX_CART_ITEMS + 3 },
      (_, i): CartLine => ({
        productId: `p${i}`,
        productName: `P${i}`,
        productSlug: `p${i}`,
        planId: "std",
        planName: "Standard",
        authMethod: "api_key",
        available: true,
      }),
    );
    const problems = cartProblems(lines);
    expect(problems).toHaveLength(3);
    for (const p of problems) expect(p).toContain(`at most ${MAX_CART_ITEMS}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Anonymous (cookie) cart
// ---------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function expectWellFormed(pairs: unknown) {
  expect(Array.isArray(pairs)).toBe(true);
  const arr = pairs as unknown[];
  expect(arr.length).toBeLessThanOrEqual(MAX_CART_ITEMS);
  for (const p of arr) {
    expect(Object.keys(p as object).sort()).toEqual(["planId", "productId"]);
    const { productId, planId } = p as CartPair;
    expect(productId).toMatch(UUID);
    expect(planId).toMatch(UUID);
  }
}

describe("parseAnonymousCart (properties)", () => {
  it("never throws on arbitrary strings and yields only well-formed pairs", () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.json()), { nil: undefined }), (value) => {
        expectWellFormed(parseAnonymousCart(value));
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectWellFormed(parseAnonymousCart(JSON.stringify(value)));
      }),
      { numRuns: 1000 },
    );
  });

  const uuid = fc.uuid({ version: 4 });
  const maybeBadId = fc.oneof({ weight: 6, arbitrary: uuid }, fc.string(), fc.integer(), fc.constant(null), fc.constant("<script>"));
  const pairLike = fc.record(
    {
      productId: maybeBadId,
      planId: maybeBadId,
      extra: fc.oneof(fc.string(), fc.constant("__proto__")),
    },
    { requiredKeys: ["productId", "planId"] },
  );

  it("keeps a pair list exactly when all pairs are valid and within the limit (extra keys dropped), else nothing", () => {
    fc.assert(
      fc.property(fc.array(pairLike, { maxLength: MAX_CART_ITEMS + 5 }), (pairs) => {
        const parsed = parseAnonymousCart(JSON.stringify(pairs));
        expectWellFormed(parsed);
        const allValid = pairs.every((p) => typeof p.productId === "string" && UUID.test(p.productId) && typeof p.planId === "string" && UUID.test(p.planId));
        const expected = allValid && pairs.length <= MAX_CART_ITEMS ? pairs.map((p) => ({ productId: p.productId, planId: p.planId })) : [];
        expect(parsed).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips through serializeAnonymousCart", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ productId: uuid, planId: uuid }), { maxLength: MAX_CART_ITEMS }), (pairs) => {
        expect(parseAnonymousCart(serializeAnonymousCart(pairs))).toEqual(pairs);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Database cart
// ---------------------------------------------------------------------------------------------

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);

const pair = (slug: string, plan: string): CartPair => ({ productId: f.product(slug).id, planId: f.plan(plan).id });
const totalCartItems = async () => (await t.sql`select count(*)::int as n from cart_items`)[0]?.n as number;
const cartOf = async (userId: string) =>
  t.db
    .select({ productId: cartItems.productId, planId: cartItems.planId })
    .from(cartItems)
    .where(eq(cartItems.userId, userId))
    .orderBy(asc(cartItems.createdAt), asc(cartItems.productId));

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("addToCart refusals", () => {
  const cases: { name: string; add: () => CartPair; code: DomainError["code"]; message: RegExp }[] = [
    { name: "a second plan", add: () => pair("invoices", "Free"), code: "conflict", message: /Standard plan.*single plan/ },
    { name: "a second auth method", add: () => pair("identity", "Standard"), code: "conflict", message: /OAuth 2\.0.*API keys.*single authentication method/ },
    { name: "a duplicate", add: () => pair("payments", "Standard"), code: "conflict", message: /already in your cart/ },
    { name: "a plan the product does not offer", add: () => pair("routing", "Free"), code: "conflict", message: /Routing API does not offer the Free plan/ },
    { name: "a draft product", add: () => pair("ledger-beta", "Standard"), code: "conflict", message: /This product is not available\./ },
    { name: "an unknown product", add: () => ({ productId: randomUUID(), planId: f.plan("Standard").id }), code: "not_found", message: /no longer exists/ },
    { name: "an unknown plan", add: () => ({ productId: f.product("payments").id, planId: randomUUID() }), code: "not_found", message: /no longer exists/ },
    { name: "a non-uuid id", add: () => ({ productId: "'; drop table cart_items; --", planId: "x" }), code: "not_found", message: /no longer exists/ },
  ];

  it.each(cases)("refuses $name with $code and writes nothing", async ({ add, code, message }) => {
    const u = await f.user();
    await addToCart(t.db, u.id, pair("payments", "Standard"));
    const before = await totalCartItems();
    const error = await refusal(addToCart(t.db, u.id, add()));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(await totalCartItems()).toBe(before);
    expect(await cartOf(u.id)).toEqual([pair("payments", "Standard")]);
  });

  it("accepts a second product with the same plan and auth method", async () => {
    const u = await f.user();
    await addToCart(t.db, u.id, pair("payments", "Standard"));
    const line = await addToCart(t.db, u.id, pair("invoices", "Standard"));
    expect(line).toMatchObject({ productSlug: "invoices", planName: "Standard", authMethod: "api_key", available: true });
    expect((await loadCart(t.db, u.id)).map((l) => l.productSlug)).toEqual(["payments", "invoices"]);
  });

  it("10 concurrent adds of different plans to an empty cart: exactly one plan ends up in the cart", async () => {
    const attempts = [
      pair("payments", "Free"),
      pair("payments", "Standard"),
      pair("payments", "Enterprise"),
      pair("invoices", "Free"),
      pair("invoices", "Standard"),
      pair("fx-rates", "Enterprise"),
      pair("fx-rates", "Free"),
      pair("geocoding", "Standard"),
      pair("routing", "Enterprise"),
      pair("weather", "Free"),
    ];
    for (let round = 0; round < 3; round++) {
      const u = await f.user();
      const results = await Promise.allSettled(attempts.map((p) => addToCart(t.db, u.id, p)));
      const cart = await cartOf(u.id);
      const plansInCart = new Set(cart.map((c) => c.planId));
      expect(plansInCart.size).toBe(1);
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won.length).toBe(cart.length);
      for (const r of results) {
        if (r.status === "rejected") {
          expect(r.reason).toBeInstanceOf(DomainError);
          expect((r.reason as DomainError).message).toMatch(/single plan/);
        }
      }
      expect(cartProblems(await loadCart(t.db, u.id))).toEqual([]);
    }
  });
});

describe("removeFromCart", () => {
  it("only touches the caller's rows", async () => {
    const a = await f.user();
    const b = await f.user();
    for (const slug of ["payments", "invoices"]) {
      await addToCart(t.db, a.id, pair(slug, "Standard"));
      await addToCart(t.db, b.id, pair(slug, "Standard"));
    }
    await addToCart(t.db, b.id, pair("geocoding", "Standard"));
    const bBefore = await cartOf(b.id);

    await removeFromCart(t.db, a.id, pair("payments", "Standard"));
    await removeFromCart(t.db, a.id, pair("geocoding", "Standard")); // only b has it
    expect(await cartOf(a.id)).toEqual([pair("invoices", "Standard")]);
    expect(await cartOf(b.id)).toEqual(bBefore);
    expect(bBefore).toHaveLength(3);
  });
});

describe("mergeIntoCart", () => {
  it("adds what fits, silently drops duplicates, and reports every rule-breaking pair", async () => {
    const u = await f.user();
    await addToCart(t.db, u.id, pair("payments", "Standard"));
    const { skipped } = await mergeIntoCart(t.db, u.id, [
      pair("payments", "Standard"), // duplicate: dropped silently
      pair("invoices", "Standard"), // fits
      pair("geocoding", "Free"), // second plan
      pair("accounts", "Standard"), // second auth method
      pair("routing", "Free"), // not offered
      { productId: randomUUID(), planId: f.plan("Standard").id }, // gone
      pair("invoices", "Standard"), // duplicate of what was just merged
    ]);
    expect(skipped).toHaveLength(4);
    expect(skipped[0]).toMatch(/single plan.*Geocoding API/);
    expect(skipped[1]).toMatch(/Accounts API.*authentication method/);
    expect(skipped[2]).toMatch(/Routing API does not offer/);
    expect(skipped[3]).toMatch(/no longer exists/);
    expect(await cartOf(u.id)).toEqual([pair("payments", "Standard"), pair("invoices", "Standard")]);
    expect(cartProblems(await loadCart(t.db, u.id))).toEqual([]);
  });

  it("into an empty cart, the first pair decides the plan", async () => {
    const u = await f.user();
    const { skipped } = await mergeIntoCart(t.db, u.id, [pair("weather", "Free"), pair("payments", "Standard"), pair("invoices", "Free")]);
    expect(skipped).toEqual([expect.stringMatching(/Free plan.*single plan/)]);
    expect(await cartOf(u.id)).toEqual([pair("weather", "Free"), pair("invoices", "Free")]);
  });
});

describe("addToAnonymousCart", () => {
  it("applies the same rules to the cookie pairs and returns a new list", async () => {
    const pairs = [pair("payments", "Standard")];
    await expect(addToAnonymousCart(t.db, pairs, pair("identity", "Standard"))).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/authentication method/),
    });
    await expect(addToAnonymousCart(t.db, pairs, pair("payments", "Standard"))).rejects.toMatchObject({ code: "conflict" });
    const { pairs: next } = await addToAnonymousCart(t.db, pairs, pair("invoices", "Standard"));
    expect(next).toEqual([pair("payments", "Standard"), pair("invoices", "Standard")]);
    expect(pairs).toHaveLength(1);
  });
});
