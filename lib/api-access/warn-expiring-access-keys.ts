import { addDays } from "date-fns/addDays";
import { and, eq, gt, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Database } from "@/db/connect";
import { apiAccessKeys, users } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { enqueueEmails } from "@/lib/mail/enqueue-email";

export const ACCESS_KEY_WARNING_DAYS = 7;

/**
 * The scheduled warning: the admin who added each API access key that expires within a week is
 * emailed once. The guarded UPDATE (`expiry_warned_at is null`) claims each key, so overlapping
 * runs on several instances send one email; removed keys are never warned about. The email names
 * the key and links to it; it never holds the token (which Portico does not have).
 */
export async function warnExpiringAccessKeys(db: Database, baseUrl: string, now = new Date()) {
  return db.transaction(async (tx) => {
    const warned = await tx
      .update(apiAccessKeys)
      .set({ expiryWarnedAt: now })
      .where(
        and(
          isNull(apiAccessKeys.removedAt),
          isNull(apiAccessKeys.expiryWarnedAt),
          gt(apiAccessKeys.expiresAt, now),
          lte(apiAccessKeys.expiresAt, addDays(now, ACCESS_KEY_WARNING_DAYS)),
        ),
      )
      .returning({ id: apiAccessKeys.id, name: apiAccessKeys.name, expiresAt: apiAccessKeys.expiresAt, createdById: apiAccessKeys.createdById });
    if (warned.length === 0) return 0;
    const creators = new Map(
      (
        await tx
          .select({ id: users.id, email: users.email, name: sql<string>`coalesce(${users.name}, ${users.email})` })
          .from(users)
          // a disabled admin no longer manages keys; the key is still marked warned
          .where(and(inArray(users.id, warned.map((w) => w.createdById)), isNull(users.disabledAt), eq(users.kind, "person")))
      ).map((u) => [u.id, u]),
    );
    await enqueueEmails(
      tx,
      warned.flatMap((w) => {
        const creator = creators.get(w.createdById);
        if (!creator) return [];
        return [
          {
            to: creator.email,
            template: "api-access-key-expiring" as const,
            props: {
              creatorName: creator.name,
              keyName: w.name,
              expiresAt: formatDateTime(w.expiresAt),
              keyUrl: `${baseUrl}/admin/api-keys/${w.id}`,
              newKeyUrl: `${baseUrl}/admin/api-keys/new`,
            },
          },
        ];
      }),
    );
    return warned.length;
  });
}
