import { and, desc, eq, inArray, like, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { emailMessages } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import { unseal } from "@/lib/mail/sealed";

/** Test helpers about access requests and the mail they cause, shared by the domain test files. */

/** What a call refused with, as `code: message` ("no error" if it went through). */
export const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "no error",
    (e: unknown) => (e instanceof DomainError ? `${e.code}: ${e.message}` : String(e)),
  );

/** The claim token as the requester receives it: from the newest approved email or re-sent link of the request, unsealed. */
export async function latestClaimToken(db: Database, requestId: string, baseUrl: string) {
  const [message] = await db
    .select()
    .from(emailMessages)
    .where(and(inArray(emailMessages.template, ["approved", "claim-link"]), like(sql`${emailMessages.props}::text`, `%${requestId}%`)))
    .orderBy(desc(emailMessages.createdAt))
    .limit(1);
  return String(await unseal(message?.props.claimUrl)).slice(`${baseUrl}/claim/`.length);
}

/** Every mail queued to an address, oldest first. */
export const mailsTo = (db: Database, to: string) => db.select().from(emailMessages).where(eq(emailMessages.to, to)).orderBy(emailMessages.createdAt);
