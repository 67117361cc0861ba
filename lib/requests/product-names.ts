import { sql } from "drizzle-orm";
import { accessRequestProducts, products } from "@/db/schema";

// Spelled out with its table: in a select from access_requests alone Drizzle writes a bare "id",
// which inside this subquery would mean products.id.
const outerRequestId = sql`${sql.identifier("access_requests")}.${sql.identifier("id")}`;

/** A request's product names, A–Z, as one column of a query over access_requests. */
export const requestProductNames = () =>
  sql<string[]>`array(select ${products.name} from ${accessRequestProducts} join ${products} on ${products.id} = ${accessRequestProducts.productId} where ${accessRequestProducts.requestId} = ${outerRequestId} order by ${products.name})`;

/**
 * Whether a request is for an OAuth 2.0 product (it yields a client, not a key; the cart never mixes
 * the two), as one column of a query over access_requests.
 */
export const requestIsOAuthColumn = () =>
  sql<boolean>`exists (select 1 from ${accessRequestProducts} join ${products} on ${products.id} = ${accessRequestProducts.productId} where ${accessRequestProducts.requestId} = ${outerRequestId} and ${products.authMethod} = 'oauth2')`;
