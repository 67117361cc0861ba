import { asc } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { webhookEndpoints } from "@/db/schema";

export type HandoffEndpointChoice = { id: string; name: string; enabled: boolean };

/**
 * The webhook endpoints a plan's External approval may name (only their names: owners choose too,
 * and the URL and secret stay with admins). Disabled ones are listed so a plan's current choice
 * still shows; the plan form offers only enabled ones otherwise.
 */
export async function listHandoffEndpoints(db: Queryable): Promise<HandoffEndpointChoice[]> {
  return db
    .select({ id: webhookEndpoints.id, name: webhookEndpoints.name, enabled: webhookEndpoints.enabled })
    .from(webhookEndpoints)
    .orderBy(asc(webhookEndpoints.name));
}
