import { eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Queryable } from "@/db/connect";
import { accessRequestProducts, products, users } from "@/db/schema";
import type { PartState } from "./part-words";

const approver = alias(users, "part_approver");
const revoker = alias(users, "part_revoker");

/** Each product ("part") of these requests with who approved or revoked it, by request, A–Z. */
export async function requestParts(db: Queryable, requestIds: readonly string[]) {
  const out = new Map<string, PartState[]>();
  if (requestIds.length === 0) return out;
  const rows = await db
    .select({
      requestId: accessRequestProducts.requestId,
      productId: accessRequestProducts.productId,
      productName: products.name,
      ownerId: products.ownerId,
      approvedById: accessRequestProducts.approvedById,
      approvedByName: approver.name,
      approvedByEmail: approver.email,
      revokedById: accessRequestProducts.revokedById,
      revokedByName: revoker.name,
      revokedByEmail: revoker.email,
    })
    .from(accessRequestProducts)
    .innerJoin(products, eq(products.id, accessRequestProducts.productId))
    .leftJoin(approver, eq(approver.id, accessRequestProducts.approvedById))
    .leftJoin(revoker, eq(revoker.id, accessRequestProducts.revokedById))
    .where(inArray(accessRequestProducts.requestId, [...requestIds]))
    .orderBy(products.name);
  for (const r of rows) {
    const list = out.get(r.requestId) ?? [];
    list.push({
      requestId: r.requestId,
      productId: r.productId,
      productName: r.productName,
      ownerId: r.ownerId,
      approvedById: r.approvedById,
      approvedBy: r.approvedById ? (r.approvedByName ?? r.approvedByEmail) : null,
      revokedById: r.revokedById,
      revokedBy: r.revokedById ? (r.revokedByName ?? r.revokedByEmail) : null,
    });
    out.set(r.requestId, list);
  }
  return out;
}

/**
 * The same parts as requestParts, as one JSON column of a query over access_requests (the queue's
 * page reads them with its rows, in one round trip).
 */
export const requestPartsJson = () =>
  sql<PartState[]>`coalesce((select json_agg(json_build_object(
      'requestId', arp.request_id, 'productId', arp.product_id, 'productName', p.name, 'ownerId', p.owner_id,
      'approvedById', arp.approved_by_id,
      'approvedBy', case when arp.approved_by_id is null then null else coalesce(ap.name, ap.email) end,
      'revokedById', arp.revoked_by_id,
      'revokedBy', case when arp.revoked_by_id is null then null else coalesce(rv.name, rv.email) end
    ) order by p.name)
    from ${accessRequestProducts} arp
    join ${products} p on p.id = arp.product_id
    left join ${users} ap on ap.id = arp.approved_by_id
    left join ${users} rv on rv.id = arp.revoked_by_id
    where arp.request_id = ${sql.identifier("access_requests")}.${sql.identifier("id")}), '[]'::json)`;
