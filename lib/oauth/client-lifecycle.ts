import { addHours } from "date-fns/addHours";
import { and, eq, isNull } from "drizzle-orm";
import { type JWK, exportJWK, importJWK, importSPKI } from "jose";
import { z } from "zod";
import type { Database } from "@/db/connect";
import { accessRequests, oauthClients, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { DomainError, notFound } from "@/lib/errors";
import { hashSecret } from "@/lib/keys/key-format";
import { GRACE_CHOICE_MESSAGE, graceWords, maxGraceOf } from "@/lib/keys/roll-grace";
import { assertActiveUser } from "@/lib/users/assert-active-user";
import { ASSERTION_ALGS } from "./server";
import { generateClientSecret, secretStart } from "./clients";

/**
 * What a consumer does with an OAuth client (lib/oauth/clients.ts), mirroring keys: roll the secret
 * (the old one keeps working for the grace period), register a public key instead of a secret
 * (private_key_jwt), check in, revoke. Each is one transaction with its audit event; each change
 * notifies every instance (oauth_clients trigger), so verify refuses an ended client at its next call.
 */

async function ownClient(tx: Parameters<Parameters<Database["transaction"]>[0]>[0], userId: string, id: string, opts: { admin?: boolean } = {}) {
  const [row] = await tx
    .select({ client: oauthClients, requesterId: accessRequests.requesterId, plan: accessRequests.plan, status: accessRequests.status })
    .from(oauthClients)
    .innerJoin(accessRequests, eq(accessRequests.id, oauthClients.requestId))
    .where(eq(oauthClients.id, id));
  if (!row) throw notFound("This OAuth client");
  if (row.requesterId !== userId) {
    const [u] = await tx.select({ role: users.role }).from(users).where(eq(users.id, userId));
    if (!(opts.admin && u?.role === "admin")) throw notFound("This OAuth client");
  }
  return row;
}

const workingClient = (id: string) => and(eq(oauthClients.id, id), isNull(oauthClients.endReason));

/** A new secret, shown once; the current one keeps working for `graceHours` (at most the plan's maxGraceHours). */
export async function rollClientSecret(db: Database, userId: string, input: { id: string; graceHours: number }, opts: { now?: Date } = {}) {
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    await assertActiveUser(tx, userId);
    const { client, plan, status } = await ownClient(tx, userId, input.id);
    if (status !== "available") throw new DomainError("conflict", `Only a working client can be rolled; its request is ${status}.`);
    if (client.authMethod !== "client_secret") {
      throw new DomainError("conflict", "This client signs in with a registered public key and has no secret to roll. Register a new key instead.");
    }
    const maxGrace = maxGraceOf(plan);
    if (!Number.isInteger(input.graceHours) || input.graceHours < 0) throw new DomainError("invalid", GRACE_CHOICE_MESSAGE, { graceHours: GRACE_CHOICE_MESSAGE });
    if (input.graceHours > maxGrace) {
      const message = `The ${plan.name} plan lets an old secret keep working for at most ${graceWords(maxGrace)}. Choose a shorter grace period and roll again.`;
      throw new DomainError("invalid", message, { graceHours: message });
    }
    const clientSecret = generateClientSecret();
    const [rolled] = await tx
      .update(oauthClients)
      .set({
        secretHash: hashSecret(clientSecret),
        secretStart: secretStart(clientSecret),
        previousSecretHash: input.graceHours > 0 ? client.secretHash : null,
        previousSecretEndsAt: input.graceHours > 0 ? addHours(now, input.graceHours) : null,
      })
      // Guarded: of two concurrent rolls one wins; the loser hears "already rolled".
      .where(and(workingClient(client.id), eq(oauthClients.secretHash, client.secretHash ?? "")))
      .returning();
    if (!rolled) throw new DomainError("conflict", "This client's secret was just rolled. Reload the page to see its current secret.");
    await recordEvent(tx, {
      actorId: userId,
      action: "oauth_client.rolled",
      subjectType: "key",
      subjectId: client.id,
      data: { clientId: client.clientId, graceHours: input.graceHours, secretStart: rolled.secretStart },
    });
    return { clientId: client.clientId, clientSecret, previousValidUntil: rolled.previousSecretEndsAt };
  });
}

const jwkSchema = z.looseObject({ kty: z.enum(["RSA", "EC", "OKP"]) });

/** A public key as JWK JSON or PEM (SPKI) → a public JWK, refusing private keys and symmetric keys. */
export async function parsePublicKey(text: string): Promise<JWK> {
  const trimmed = text.trim();
  const refuse = (why: string) => new DomainError("invalid", why, { publicKey: why });
  if (trimmed.length > 16_384) throw refuse("The key is too long: paste one public key (JWK or PEM).");
  let jwk: JWK;
  if (trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw refuse("This is not valid JSON. Paste the public key as a JWK ({\"kty\": …}) or a PEM block.");
    }
    const parsed = jwkSchema.safeParse(json);
    if (!parsed.success) throw refuse("The JWK must be an RSA, EC or OKP public key (kty RSA, EC or OKP).");
    if ("d" in parsed.data || "p" in parsed.data) throw refuse("This is a private key. Paste only the public key: keep the private key with your app.");
    jwk = parsed.data as JWK;
    try {
      await importJWK(jwk, (jwk.alg as string | undefined) ?? (jwk.kty === "RSA" ? "RS256" : jwk.kty === "OKP" ? "EdDSA" : jwk.crv === "P-384" ? "ES384" : "ES256"));
    } catch {
      throw refuse("This JWK could not be read as a public key. Check that it was copied whole.");
    }
  } else if (trimmed.startsWith("-----BEGIN PUBLIC KEY-----")) {
    if (/PRIVATE KEY/.test(trimmed)) throw refuse("This is a private key. Paste only the public key.");
    const attempts = ["ES256", "ES384", "RS256", "EdDSA"];
    let found: JWK | null = null;
    for (const alg of attempts) {
      try {
        found = { ...(await exportJWK(await importSPKI(trimmed, alg, { extractable: true }))), alg };
        break;
      } catch {
        // try the next algorithm
      }
    }
    if (!found) throw refuse("This PEM could not be read as an RSA, P-256, P-384 or Ed25519 public key.");
    jwk = found;
  } else {
    throw refuse("Paste a public key as a JWK ({\"kty\": …}) or a PEM block starting with -----BEGIN PUBLIC KEY-----.");
  }
  if (jwk.alg !== undefined && !ASSERTION_ALGS.includes(jwk.alg)) throw refuse(`The key's alg must be one of ${ASSERTION_ALGS.join(", ")}.`);
  const { kty, crv, x, y, n, e, alg, kid } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e, alg, kid }).filter(([, v]) => v !== undefined)) as JWK;
}

/** private_key_jwt: the client authenticates with assertions signed by this key; its secret is gone at once. */
export async function registerClientKey(db: Database, userId: string, input: { id: string; publicKey: string }) {
  const jwk = await parsePublicKey(input.publicKey);
  return db.transaction(async (tx) => {
    await assertActiveUser(tx, userId);
    const { client, status } = await ownClient(tx, userId, input.id);
    if (status !== "available") throw new DomainError("conflict", `Only a working client can register a key; its request is ${status}.`);
    const [done] = await tx
      .update(oauthClients)
      .set({ authMethod: "private_key_jwt", publicJwk: jwk, secretHash: null, secretStart: null, previousSecretHash: null, previousSecretEndsAt: null })
      .where(workingClient(client.id))
      .returning({ id: oauthClients.id });
    if (!done) throw new DomainError("conflict", "This client no longer works. Reload the page.");
    await recordEvent(tx, { actorId: userId, action: "oauth_client.key_registered", subjectType: "key", subjectId: client.id, data: { clientId: client.clientId, kty: jwk.kty } });
    return { clientId: client.clientId };
  });
}

/** Revoke (the requester, or an admin) or check in (the requester: done with it): the client stops at once. */
export async function endClient(db: Database, userId: string, input: { id: string; reason: "revoked" | "checked_in"; comment?: string }, opts: { now?: Date } = {}) {
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    // A disabled account acts on nothing (as for keys, lib/keys/check-key.ts), an admin's revoke included.
    await assertActiveUser(tx, userId);
    const { client } = await ownClient(tx, userId, input.id, { admin: input.reason === "revoked" });
    const [ended] = await tx
      .update(oauthClients)
      .set({
        endsAt: now,
        endReason: input.reason,
        ...(input.reason === "revoked" ? { revokedAt: now, revokedById: userId, revokedReason: input.comment ?? null } : {}),
      })
      .where(workingClient(client.id))
      .returning({ id: oauthClients.id });
    if (!ended) throw new DomainError("conflict", "This client has already ended. Reload the page to see its state.");
    await recordEvent(tx, {
      actorId: userId,
      action: input.reason === "revoked" ? "oauth_client.revoked" : "oauth_client.checked_in",
      subjectType: "key",
      subjectId: client.id,
      comment: input.comment ?? null,
      data: { clientId: client.clientId },
    });
    return { clientId: client.clientId };
  });
}
