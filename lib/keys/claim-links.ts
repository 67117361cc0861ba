import { randomBytes } from "node:crypto";
import { addHours } from "date-fns/addHours";
import { max } from "date-fns/max";
import { and, inArray, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { claimLinks } from "@/db/schema";
import { hashSecret } from "./key-format";

export type ClaimLinkRequest = { id: string; startsAt: Date; lifetimeHours: number };

export const claimUrl = (baseUrl: string, token: string) => `${baseUrl}/claim/${token}`;

/**
 * Makes a new one-time claim link for each request, replacing any earlier unused link (the old one
 * stops working). Returns the tokens to put in emails: they exist nowhere else, only their hashes
 * are stored. A request that starts later keeps its link valid for `lifetimeHours` after the start.
 */
export async function issueClaimLinks(tx: Queryable, requests: readonly ClaimLinkRequest[], now = new Date()) {
  const tokens = new Map<string, string>();
  if (requests.length === 0) return tokens;
  await tx
    .update(claimLinks)
    .set({ supersededAt: now })
    .where(
      and(
        inArray(
          claimLinks.requestId,
          requests.map((r) => r.id),
        ),
        isNull(claimLinks.usedAt),
        isNull(claimLinks.supersededAt),
      ),
    );
  const rows = requests.map((r) => {
    const token = randomBytes(32).toString("base64url");
    tokens.set(r.id, token);
    return {
      requestId: r.id,
      tokenHash: hashSecret(token),
      createdAt: now,
      expiresAt: addHours(max([now, r.startsAt]), r.lifetimeHours),
    };
  });
  await tx.insert(claimLinks).values(rows);
  return tokens;
}

/** A claim token is 43 base64url characters; anything else is not worth a lookup. */
export const CLAIM_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
