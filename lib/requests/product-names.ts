import { sql } from "drizzle-orm";
import { accessRequestProducts, accessRequests, products } from "@/db/schema";

/** A request's product names, A–Z, as one column of a query over access_requests. */
export const requestProductNames = () =>
  sql<string[]>`array(select ${products.name} from ${accessRequestProducts} join ${products} on ${products.id} = ${accessRequestProducts.productId} where ${accessRequestProducts.requestId} = ${accessRequests.id} order by ${products.name})`;
