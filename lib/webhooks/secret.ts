import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { seal, unseal } from "@/lib/mail/sealed";

/** A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret() {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export const sealSecret = (secret: string) => seal(secret);
export async function openSecret(sealed: string) {
  const secret = await unseal(sealed);
  if (!secret.startsWith("whsec_")) throw new Error("a webhook secret could not be opened (was AUTH_SECRET changed?)");
  return secret;
}

/**
 * The `webhook-signature` header: `v1,<base64 HMAC-SHA256>` for each secret still signing, space
 * separated (after a rotation the old secret signs too for a day). Signed by the standardwebhooks
 * library over `<id>.<timestamp>.<body>`.
 */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: Date, body: string) {
  return secrets.map((s) => new Webhook(s).sign(id, timestamp, body)).join(" ");
}
