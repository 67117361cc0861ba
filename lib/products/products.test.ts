import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auditEvents, plans, productPlans, products } from "@/db/schema";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { getPublishedProduct, listPublishedProducts } from "@/lib/catalogue/queries";
import { DomainError } from "@/lib/errors";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { changeProductStatus } from "./change-product-status";
import { createProduct } from "./create-product";
import { getManagedProduct } from "./get-product";
import { listManagedProducts, productListParams } from "./list-products";
import { offerablePlans } from "./offerable-plans";
import { checkOpenApi } from "./openapi";
import { productSchema } from "./product-schema";
import { publishedOpenApi } from "./published-openapi";
import { updateProduct } from "./update-product";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);

const YAML_DOC = `openapi: 3.0.3
info:
  title: Parcels
  version: "1.0"
paths:
  /parcels/{id}:
    get:
      summary: Track a parcel
      parameters:
        - name: id
          in: path
          required: true
          schema: { type: string }
      responses:
        "200":
          description: The parcel
`;
const JSON_DOC = JSON.stringify({ openapi: "3.1.0", info: { title: "Tiny", version: "2" }, paths: { "/ping": { get: { responses: { "204": { description: "Pong" } } } } } });

const counts = async () => {
  const [row] = await t.sql`select
    (select count(*)::int from products) as products,
    (select count(*)::int from product_plans) as offers,
    (select count(*)::int from audit_events) as audit`;
  return row;
};
const eventsFor = (id: string) => t.db.select().from(auditEvents).where(eq(auditEvents.subjectId, id)).orderBy(asc(auditEvents.id));
const slug = () => `p-${randomUUID().slice(0, 8)}`;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(DomainError);
      return e as DomainError;
    },
  );
const asActor = (u: { id: string; role: "consumer" | "owner" | "admin" }) => ({ kind: "user" as const, id: u.id, role: u.role, disabled: false });

describe("checkOpenApi", () => {
  it("accepts OpenAPI 3.0 YAML, 3.1 JSON and Swagger 2.0", async () => {
    expect(await checkOpenApi(YAML_DOC)).toEqual({ ok: true, title: "Parcels", version: "1.0" });
    expect(await checkOpenApi(JSON_DOC)).toEqual({ ok: true, title: "Tiny", version: "2" });
    expect((await checkOpenApi(`swagger: "2.0"\ninfo: {title: Old, version: "1"}\npaths: {}\n`)).ok).toBe(true);
  });

  it("says what is wrong", async () => {
    const cases: [string, RegExp][] = [
      ["openapi: 3.0.3\ninfo:\n  title: No version\npaths: {}\n", /not valid.*version/],
      ["openapi: [1,\n", /not valid JSON or YAML/],
      ["{ \"openapi\": \"3.0.3\", ", /not valid JSON or YAML/],
      ["just a sentence", /not an OpenAPI document/],
      ["- a\n- list\n", /not an OpenAPI document/],
      ["title: x\n", /not valid/],
      [YAML_DOC.replace("      parameters:\n        - name: id\n          in: path\n          required: true\n          schema: { type: string }\n", ""), /missing path parameter/],
      ["openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: 'https://evil.example/x.yaml'}\n", /must point inside the document/],
      ["openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '/etc/passwd'}\n", /must point inside the document/],
      ["openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Nope'}\n", /not valid.*Nope/],
      ["a: &a [1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [" + "*c,".repeat(120) + "*c]\n", /not valid JSON or YAML/],
      ["x".repeat(500_001), /over 500,000 characters/],
    ];
    for (const [text, message] of cases) {
      const check = await checkOpenApi(text);
      expect(check.ok, text.slice(0, 60)).toBe(false);
      if (!check.ok) expect(check.message, text.slice(0, 60)).toMatch(message);
    }
  });
});

describe("an owner's products", () => {
  it("creates a draft with plans and a document, edits it, publishes it to the catalogue and takes it out again, auditing each step", async () => {
    const owner = asActor(await f.owner());
    const s = slug();
    const created = await createProduct(t.db, owner, {
      name: "  Parcels API ",
      slug: s,
      summary: "Track parcels.",
      description: "## Hello\n\n<script>alert(1)</script>",
      tags: "Logistics, maps, logistics",
      authMethod: "api_key",
      planIds: [f.plan("Free").id, f.plan("Standard").id],
      openapi: YAML_DOC,
    });
    expect(created).toMatchObject({ name: "Parcels API", slug: s, status: "draft", ownerId: owner.id, tags: ["logistics", "maps"], openapi: YAML_DOC });
    expect((await getManagedProduct(t.db, owner, created.id))?.planIds.sort()).toEqual([f.plan("Free").id, f.plan("Standard").id].sort());
    expect(await getPublishedProduct(t.db, s)).toBeNull();
    expect(await publishedOpenApi(t.db, s)).toBeNull();

    const renamed = `${s}-v2`;
    const saved = await updateProduct(t.db, owner, created.id, {
      name: "Parcels API",
      slug: renamed,
      summary: "Track parcels.",
      description: "## Hello",
      tags: "logistics",
      authMethod: "api_key",
      planIds: f.plan("Standard").id,
      openapi: JSON_DOC,
    });
    expect(saved).toMatchObject({ previousSlug: s, changed: true, product: { slug: renamed, openapi: JSON_DOC } });
    // Saving the same values again writes nothing.
    const again = await updateProduct(t.db, owner, created.id, {
      name: "Parcels API",
      slug: renamed,
      summary: "Track parcels.",
      description: "## Hello",
      tags: "logistics",
      authMethod: "api_key",
      planIds: f.plan("Standard").id,
      openapi: JSON_DOC,
    });
    expect(again.changed).toBe(false);

    await changeProductStatus(t.db, owner, created.id, "publish");
    expect(await getPublishedProduct(t.db, renamed)).toMatchObject({ name: "Parcels API", plans: [{ name: "Standard" }] });
    expect((await listPublishedProducts(t.db, { q: "parcels" })).map((p) => p.slug)).toEqual([renamed]);
    expect(await publishedOpenApi(t.db, renamed)).toBe(JSON_DOC);

    const conflict = await failure(changeProductStatus(t.db, owner, created.id, "publish"));
    expect(conflict.code).toBe("conflict");
    expect(conflict.message).toMatch(/already|is published/);

    await changeProductStatus(t.db, owner, created.id, "unpublish");
    expect(await getPublishedProduct(t.db, renamed)).toBeNull();
    await changeProductStatus(t.db, owner, created.id, "archive");
    // An archived product is read-only until restored: the edit is refused and writes nothing.
    const frozen = await failure(
      updateProduct(t.db, owner, created.id, { name: "Renamed while archived", slug: renamed, summary: "Track parcels.", description: "## Hello", tags: "logistics", authMethod: "api_key", planIds: f.plan("Standard").id, openapi: JSON_DOC }),
    );
    expect(frozen).toMatchObject({ code: "conflict", message: expect.stringMatching(/archived.*Restore it first/) });
    expect((await getManagedProduct(t.db, owner, created.id))?.name).toBe("Parcels API");
    await changeProductStatus(t.db, owner, created.id, "restore");
    expect((await getManagedProduct(t.db, owner, created.id))?.status).toBe("draft");

    const events = await eventsFor(created.id);
    expect(events.map((e) => [e.action, e.subjectType, e.actorId])).toEqual([
      ["product.created", "product", owner.id],
      ["product.updated", "product", owner.id],
      ["product.published", "product", owner.id],
      ["product.unpublished", "product", owner.id],
      ["product.archived", "product", owner.id],
      ["product.restored", "product", owner.id],
    ]);
    expect(events[1]?.data).toMatchObject({
      changed: ["slug", "description", "tags", "openapi"],
      from: { slug: s, tags: ["logistics", "maps"] },
      to: { slug: renamed, tags: ["logistics"] },
      plansRemoved: [f.plan("Free").id],
    });
    // The document itself never goes into the audit trail.
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain("Tiny");
  });

  it("will not publish a product that offers no plan", async () => {
    const owner = asActor(await f.owner());
    const p = await createProduct(t.db, owner, { name: "Lonely", slug: slug(), authMethod: "oauth2" });
    const before = await counts();
    const error = await failure(changeProductStatus(t.db, owner, p.id, "publish"));
    expect(error.message).toMatch(/Offer at least one plan/);
    expect(await counts()).toEqual(before);
    expect((await getManagedProduct(t.db, owner, p.id))?.status).toBe("draft");
  });

  it("lists an owner's own products, and every product for an admin", async () => {
    const alice = asActor(await f.user("owner"));
    const admin = asActor(await f.user("admin"));
    const mine = await createProduct(t.db, alice, { name: "Alice's", slug: slug(), authMethod: "api_key" });
    expect((await listManagedProducts(t.db, alice)).map((p) => p.id)).toEqual([mine.id]);
    const all = await listManagedProducts(t.db, admin);
    expect(all.map((p) => p.id)).toContain(mine.id);
    expect(all.map((p) => p.id)).toContain(f.product("payments").id);
  });

  it("filters the list by status and by name, slug or tag, taking the search literally", async () => {
    const carol = asActor(await f.user("owner"));
    const weather = await createProduct(t.db, carol, { name: "Storm Watch", slug: slug(), authMethod: "api_key", tags: ["climate"] });
    const maps = await createProduct(t.db, carol, { name: "Map_Tiles 100%", slug: slug(), authMethod: "api_key" });
    await changeProductStatus(t.db, carol, maps.id, "archive");
    const ids = async (filters: Parameters<typeof listManagedProducts>[2]) => (await listManagedProducts(t.db, carol, filters)).map((p) => p.id);
    expect(await ids({ q: "storm" })).toEqual([weather.id]);
    expect(await ids({ q: "CLIM" })).toEqual([weather.id]);
    expect(await ids({ q: weather.slug })).toEqual([weather.id]);
    expect(await ids({ q: "m_p" })).toEqual([]); // "_" is not a wildcard: "Map" does not match
    expect(await ids({ q: "100%" })).toEqual([maps.id]);
    expect(await ids({ status: "archived" })).toEqual([maps.id]);
    expect(await ids({ status: "draft", q: "map" })).toEqual([]);
    expect(productListParams.parse({ q: "  x ", status: "gone" })).toEqual({ q: "x", status: undefined });
  });
});

describe("bad input writes nothing", () => {
  it("answers invalid documents, duplicate slugs and bad fields with field messages", async () => {
    const owner = asActor(await f.owner());
    const base = { name: "Bad", slug: slug(), authMethod: "api_key" };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...base, openapi: "openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n" }, "openapi", /not valid.*version/],
      [{ ...base, openapi: "{not json" }, "openapi", /not valid JSON or YAML/],
      [{ ...base, slug: "payments" }, "slug", /That slug is taken/],
      [{ ...base, slug: "Has Spaces" }, "slug", /lowercase letters/],
      [{ ...base, name: "" }, "name", /Give the product a name/],
      [{ ...base, authMethod: "basic" }, "authMethod", /API key or OAuth/],
      [{ ...base, tags: "ok, not ok!" }, "tags.1", /lowercase letters/],
      [{ ...base, planIds: "not-a-uuid" }, "planIds.0", /does not exist/],
      [{ ...base, planIds: randomUUID() }, "planIds", /does not exist or is not yours/],
      [{ ...base, description: "a\u0000b" }, "description", /control characters/],
    ];
    const before = await counts();
    for (const [input, field, message] of cases) {
      const error = await failure(createProduct(t.db, owner, input));
      expect(error.code, field).toBe("invalid");
      expect(error.fieldErrors?.[field], JSON.stringify(error.fieldErrors)).toMatch(message);
    }
    expect(await counts()).toEqual(before);

    // The same refusals when editing: the product is left as it was.
    const payments = f.product("payments");
    const snapshot = await t.db.select().from(products).where(eq(products.id, payments.id));
    const edit = { name: payments.name, slug: "invoices", authMethod: "api_key", planIds: [] };
    const taken = await failure(updateProduct(t.db, owner, payments.id, edit));
    expect(taken.fieldErrors?.slug).toMatch(/That slug is taken/);
    const badDoc = await failure(updateProduct(t.db, owner, payments.id, { ...edit, slug: "payments", openapi: "openapi: 3.0.3\n" }));
    expect(badDoc.fieldErrors?.openapi).toMatch(/not valid/);
    expect(await t.db.select().from(products).where(eq(products.id, payments.id))).toEqual(snapshot);
    expect(await counts()).toEqual(before);
  });

  it("two concurrent creates with one slug: one wins, the other hears the slug is taken", async () => {
    const owner = asActor(await f.owner());
    const s = slug();
    const results = await Promise.allSettled([0, 1].map((i) => createProduct(t.db, owner, { name: `Race ${i}`, slug: s, authMethod: "api_key" })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(lost?.reason).toBeInstanceOf(DomainError);
    expect((lost?.reason as DomainError).fieldErrors?.slug).toMatch(/That slug is taken/);
  });
});

describe("who may manage a product", () => {
  it("refuses other owners (not found) and consumers (forbidden), writing nothing; admins may", async () => {
    const payments = f.product("payments");
    const other = asActor(await f.user("owner"));
    const consumer = asActor(await f.user("consumer"));
    const admin = asActor(await f.user("admin"));
    const edit = { name: "Stolen", slug: payments.slug, authMethod: "api_key", planIds: [] };
    const before = await counts();
    const row = await t.db.select().from(products).where(eq(products.id, payments.id));

    expect((await failure(updateProduct(t.db, other, payments.id, edit))).code).toBe("not_found");
    for (const change of ["publish", "unpublish", "archive", "restore"] as const) {
      expect((await failure(changeProductStatus(t.db, other, payments.id, change))).code).toBe("not_found");
      expect((await failure(changeProductStatus(t.db, consumer, payments.id, change))).code).toBe("forbidden");
    }
    expect((await failure(updateProduct(t.db, consumer, payments.id, edit))).code).toBe("forbidden");
    expect((await failure(createProduct(t.db, consumer, { name: "Mine", slug: slug(), authMethod: "api_key" }))).code).toBe("forbidden");
    expect(await getManagedProduct(t.db, other, payments.id)).toBeNull();
    expect(await counts()).toEqual(before);
    expect(await t.db.select().from(products).where(eq(products.id, payments.id))).toEqual(row);

    const unpublished = await changeProductStatus(t.db, admin, payments.id, "unpublish");
    expect(unpublished.product.status).toBe("draft");
    await changeProductStatus(t.db, admin, payments.id, "publish");
  });

  it("lets an owner offer shared plans and their own, not another owner's", async () => {
    const alice = asActor(await f.user("owner"));
    const bob = asActor(await f.user("owner"));
    const [bobsPlan] = await t.db.insert(plans).values({ name: `Bob ${randomUUID()}`, ownerId: bob.id }).returning();
    const [alicesPlan] = await t.db.insert(plans).values({ name: `Alice ${randomUUID()}`, ownerId: alice.id }).returning();
    if (!bobsPlan || !alicesPlan) throw new Error("plans");
    const offerable = (await offerablePlans(t.db, alice, null)).map((p) => p.id);
    expect(offerable).toContain(alicesPlan.id);
    expect(offerable).toContain(f.plan("Free").id);
    expect(offerable).not.toContain(bobsPlan.id);

    const before = await counts();
    const error = await failure(createProduct(t.db, alice, { name: "A", slug: slug(), authMethod: "api_key", planIds: [alicesPlan.id, bobsPlan.id] }));
    expect(error.fieldErrors?.planIds).toMatch(/not yours to offer/);
    expect(await counts()).toEqual(before);
    const ok = await createProduct(t.db, alice, { name: "A", slug: slug(), authMethod: "api_key", planIds: [alicesPlan.id, f.plan("Free").id] });
    expect(await t.db.select().from(productPlans).where(eq(productPlans.productId, ok.id))).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz: the schema and the domain function never fail with anything but field messages
// ---------------------------------------------------------------------------------------------

const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("", " ", "<script>alert(1)</script>", "'; drop table products; --", "a\u0000b", "payments", "-", "a".repeat(5000), "😀", "openapi: 3.0.3"),
  fc.string(),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.uuid(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.uuid()), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const FIELDS = ["name", "slug", "summary", "description", "tags", "authMethod", "planIds", "openapi"] as const;
const productLike = fc.record(
  {
    name: fc.oneof(nasty, fc.string({ minLength: 1, maxLength: 30 })),
    slug: fc.oneof(nasty, fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/)),
    summary: nasty,
    description: nasty,
    tags: fc.oneof(nasty, fc.constantFrom("a, b", "finance", "Finance,  data ,,")),
    authMethod: fc.oneof(nasty, fc.constantFrom("api_key", "oauth2")),
    planIds: fc.oneof(nasty, fc.constant(f.plan("Free").id)),
    openapi: fc.oneof(nasty, fc.constantFrom(YAML_DOC, JSON_DOC, "openapi: 3.0.3\n", "{}")),
  },
  { requiredKeys: [] },
);

describe("productSchema (fuzz)", () => {
  it("fails with messages on known fields only, or yields well-formed values", () => {
    fc.assert(
      fc.property(productLike, (input) => {
        const result = productSchema.safeParse(input);
        if (!result.success) {
          for (const key of Object.keys(fieldErrorsOf(result.error))) expect(FIELDS).toContain(key.split(".")[0]);
          return;
        }
        const out = result.data;
        expect(out.slug).toMatch(/^[a-z0-9][a-z0-9-]{0,99}$/);
        expect(out.name.length).toBeGreaterThan(0);
        expect(out.name).toBe(out.name.trim());
        expect(new Set(out.tags).size).toBe(out.tags.length);
        for (const tag of out.tags) expect(tag).toMatch(/^[a-z0-9][a-z0-9-]{0,29}$/);
        expect(["api_key", "oauth2"]).toContain(out.authMethod);
        for (const s of [out.name, out.summary, out.description, out.openapi ?? ""]) expect(s).not.toContain("\u0000");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("createProduct and updateProduct (fuzz, real database)", () => {
  it("either save or refuse with a DomainError, and a refusal writes nothing", async () => {
    const owner = asActor(await f.owner());
    const target = await createProduct(t.db, owner, { name: "Fuzz target", slug: slug(), authMethod: "api_key" });
    // A valid form with one or two fields replaced by hostile values, so both outcomes happen.
    const valid = () => ({ name: "Fuzzed", slug: slug(), summary: "", description: "", tags: "", authMethod: "api_key", planIds: f.plan("Free").id, openapi: "" });
    const nearlyValid = fc
      .tuple(productLike, fc.subarray([...FIELDS], { maxLength: 2 }))
      .map(([fuzz, keys]) => ({ ...valid(), ...Object.fromEntries(keys.filter((k) => k in fuzz).map((k) => [k, fuzz[k]])) }));
    let saved = 0;
    await fc.assert(
      fc.asyncProperty(nearlyValid, fc.boolean(), async (input, update) => {
        const before = await counts();
        const row = await t.db.select().from(products).where(eq(products.id, target.id));
        const run = update ? updateProduct(t.db, owner, target.id, input) : createProduct(t.db, owner, input);
        const error = await run.then(
          () => null,
          (e: unknown) => e,
        );
        if (error === null) {
          saved++;
          return;
        }
        expect(error, String(error)).toBeInstanceOf(DomainError);
        expect(await counts()).toEqual(before);
        expect(await t.db.select().from(products).where(eq(products.id, target.id))).toEqual(row);
      }),
      { numRuns: 150 },
    );
    // Some inputs were valid and saved, so the refusals above are about the input.
    expect(saved).toBeGreaterThan(0);
  });
});
