import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailMessages } from "@/db/schema";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { createApiAccessKey, removeApiAccessKey } from "./manage";
import { warnExpiringAccessKeys } from "./warn-expiring-access-keys";

const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const baseUrl = "http://portal.test";
const day = 86_400_000;

async function keyFor(admin: Awaited<ReturnType<typeof f.user>>, name: string) {
  return createApiAccessKey(t.db, userActor(admin), { name, expiry: "30d", roles: [{ role: "portal_viewer" }], issuer: baseUrl });
}
const mailsTo = (email: string) => t.db.select().from(emailMessages).where(eq(emailMessages.to, email));

describe("API access key expiry warning", () => {
  it("emails the admin who added the key once, a week before it expires, with no token in it", async () => {
    const admin = await f.user("admin");
    const { key, token } = await keyFor(admin, `Expiring ${admin.id}`);
    // 24 days from now the key (30 days) is 6 days from expiry; 22 days from now it is 8 days away.
    expect(await warnExpiringAccessKeys(t.db, baseUrl, new Date(Date.now() + 22 * day))).toBe(0);
    expect(await mailsTo(admin.email)).toHaveLength(0);

    const in24days = new Date(Date.now() + 24 * day);
    await Promise.all([warnExpiringAccessKeys(t.db, baseUrl, in24days), warnExpiringAccessKeys(t.db, baseUrl, in24days), warnExpiringAccessKeys(t.db, baseUrl, in24days)]);
    await warnExpiringAccessKeys(t.db, baseUrl, new Date(Date.now() + 25 * day));
    const mails = await mailsTo(admin.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.template).toBe("api-access-key-expiring");
    expect(mails[0]?.subject).toContain(key.name);
    expect(mails[0]?.props).toMatchObject({ keyName: key.name, keyUrl: `${baseUrl}/admin/api-keys/${key.id}` });
    expect(JSON.stringify(mails[0])).not.toContain(token);
  });

  it("never warns about a removed key", async () => {
    const admin = await f.user("admin");
    const { key } = await keyFor(admin, `Removed ${admin.id}`);
    await removeApiAccessKey(t.db, userActor(admin), { keyId: key.id });
    await warnExpiringAccessKeys(t.db, baseUrl, new Date(Date.now() + 24 * day));
    expect(await mailsTo(admin.email)).toHaveLength(0);
  });

  it("does not warn about a key that already expired", async () => {
    const admin = await f.user("admin");
    await keyFor(admin, `Expired ${admin.id}`);
    await warnExpiringAccessKeys(t.db, baseUrl, new Date(Date.now() + 31 * day));
    expect(await mailsTo(admin.email)).toHaveLength(0);
  });
});
