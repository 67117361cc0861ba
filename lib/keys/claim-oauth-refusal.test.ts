import { describe, expect, it } from "vitest";
import { userActor } from "@/lib/auth/permissions";
import { isolatedDatabase } from "@/tests/database";
import { catalogueFixture } from "@/tests/fixtures";
import { approvedRequest } from "@/tests/requests";
import { claimCredential } from "./claim-key";

/** Adversary's pass: the claim action's refusal for an OAuth 2.0 product's link speaks of a client, as its page does. */
const t = await isolatedDatabase();
const f = await catalogueFixture(t.db);
const approver = userActor(await f.owner());
const baseUrl = "http://portal.test";

describe("claiming an OAuth 2.0 client's link twice", () => {
  it("the second claim is refused in a client's words (no key, no Generate key), and a stranger hears nothing of which it is", async () => {
    const { user, token } = await approvedRequest({ db: t.db, f, approver, baseUrl }, { slugs: ["identity"] });
    expect((await claimCredential(t.db, token, user.id, { prefix: "ptk" })).kind).toBe("oauth_client");
    const again = await claimCredential(t.db, token, user.id, { prefix: "ptk" }).catch((e: Error) => e);
    expect(again).toBeInstanceOf(Error);
    expect((again as Error).message).toMatch(/client secret was shown once/);
    expect((again as Error).message).not.toMatch(/\bkey\b/);
    const stranger = await f.user();
    const foreign = await claimCredential(t.db, token, stranger.id, { prefix: "ptk" }).catch((e: Error) => e);
    expect((foreign as Error).message).toBe("This claim link was sent to another account. Sign out, then sign in with the email address the link was sent to.");
  });
});
