import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { accessRequestProducts, accessRequests } from "@/db/schema";
import type { NewRequest } from "./create-request";

/**
 * A revocation that this request follows: a revoked request of its own resubmit chain, or any
 * request of the same app or the same requester whose part for one of these products was revoked
 * (the whole request revoked, an owner's per-part revoke, or archiving with revoke). A revocation
 * is a person's judgment, so access after it is never granted automatically (by resubmitting, or
 * by a new cart or a new app). The cart asks it before an app is chosen (`appId: null`), so it
 * can say so before the request is submitted.
 */
export async function revokedBefore(tx: Queryable, input: Pick<NewRequest, "requesterId" | "productIds" | "resubmittedFromId"> & { appId: string | null }) {
  const [row] = await tx.execute<{ id: string }>(sql`
    with recursive chain(id) as (
      select ${input.resubmittedFromId ?? null}::text
      union
      select r.resubmitted_from_id from ${accessRequests} r join chain c on r.id = c.id where r.resubmitted_from_id is not null
    )
    select r.id from ${accessRequests} r
    where (r.status = 'revoked' and r.id in (select id from chain))
      or ((r.app_id = ${input.appId} or r.requester_id = ${input.requesterId})
        and exists (select 1 from ${accessRequestProducts} p
          where p.request_id = r.id and (r.status = 'revoked' or p.revoked_at is not null)
            and p.product_id in ${sql`(${sql.join(
              input.productIds.map((id) => sql`${id}`),
              sql`, `,
            )})`}))
    limit 1`);
  return row?.id ?? null;
}
