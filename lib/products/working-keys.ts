import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";

/**
 * How many keys work for this product now (a rolled key in its grace period counts), and how many
 * approved requests for it wait to be claimed: what archiving with "revoke" would end.
 */
export async function workingKeysOfProduct(db: Queryable, productId: string, now = new Date()) {
  const [row] = await db.execute<{ keys: number; unclaimed: number }>(sql`
    select
      (select count(*)::int from api_keys k join access_requests r on r.id = k.request_id
        where r.status = 'available' and (k.ends_at is null or k.ends_at > ${now.toISOString()})
          and (k.expires_at is null or k.expires_at > ${now.toISOString()})
          and exists (select 1 from access_request_products p where p.request_id = r.id and p.product_id = ${productId})) as keys,
      (select count(*)::int from access_requests r where r.status = 'approved'
          and exists (select 1 from access_request_products p where p.request_id = r.id and p.product_id = ${productId})) as unclaimed`);
  return { keys: row?.keys ?? 0, unclaimed: row?.unclaimed ?? 0 };
}
