import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apps } from "@/db/schema";
import { apiHarness } from "@/tests/api";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";

const t = await isolatedDatabase();
let f: Awaited<ReturnType<typeof catalogueFixture>>;
let api: ReturnType<typeof apiHarness>;
beforeAll(async () => {
  f = await catalogueFixture(t.db);
  api = apiHarness(t.db, f);
});

type App = { id: string; name: string; owner: { id: string; email: string } };

describe("listApps and getApp", () => {
  it("a Portal viewer lists apps newest first, filtered by owner email, page by page with a Link header", async () => {
    const person = await f.user();
    const made = [];
    for (const name of ["One", "Two", "Three"]) made.push(await f.app(person.id, name));
    const gone = await f.app(person.id, "Deleted");
    await t.db.update(apps).set({ deletedAt: new Date() }).where(eq(apps.id, gone.id));
    await f.app((await f.user()).id, "Someone else's");

    const { token } = await api.token([{ role: "portal_viewer" }]);
    const seen: App[] = [];
    let path = `/apps?limit=2&ownerEmail=${encodeURIComponent(person.email.toUpperCase())}`;
    for (let i = 0; i < 5; i++) {
      const res = await api.call(token, "GET", path);
      expect(res.status).toBe(200);
      seen.push(...(res.body.items as App[]));
      const link = res.headers.get("link");
      if (!res.body.next) {
        expect(link).toBeNull();
        break;
      }
      expect(link).toMatch(/rel="next"/);
      path = `/apps?limit=2&ownerEmail=${encodeURIComponent(person.email)}&cursor=${String(res.body.next)}`;
    }
    expect(seen.map((a) => a.name)).toEqual(["Three", "Two", "One"]);
    expect(seen.every((a) => a.owner.email === person.email)).toBe(true);

    const one = await api.call(token, "GET", `/apps/${made[0]?.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: "One", owner: { id: person.id } });
    expect((await api.call(token, "GET", `/apps/${gone.id}`)).status).toBe(404);
    expect((await api.call(token, "GET", "/apps?cursor=bogus")).status).toBe(422);
  });

  it("403 naming Portal admin or Portal viewer for product-scoped keys, even with All products", async () => {
    const app = await f.app((await f.user()).id);
    for (const roles of [[{ role: "product_viewer" as const, products: "all" as const }], [{ role: "product_approver" as const, products: [f.product("payments").id] }]]) {
      const { token } = await api.token(roles);
      for (const path of ["/apps", `/apps/${app.id}`]) {
        const res = await api.call(token, "GET", path);
        expect(res.status).toBe(403);
        expect(res.body.requiredRoles).toEqual(["portal_admin", "portal_viewer"]);
        expect(String(res.body.detail)).toContain("Portal admin or Portal viewer");
      }
    }
  });
});
