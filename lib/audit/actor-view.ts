import { z } from "zod";

/**
 * Who did something, as machines are told (the REST API's audit log and webhook payloads): a
 * person, a portal API access key (named, never addressed), or Portico itself.
 */
export const actorViewFields = {
  type: z.enum(["user", "api_key", "system"]),
  id: z.string().nullable().meta({ description: "The person's user id, or the API access key's id; null for Portico itself." }),
  name: z.string().meta({ description: "The person's name (or email), the API access key's name, or \"Portico\" / \"auto-approve\"." }),
  email: z.string().nullable().meta({ description: "The person's email; null for keys and Portico." }),
};
export const actorViewSchema = z.object(actorViewFields).meta({ id: "AuditActor" });
export type ActorView = z.infer<typeof actorViewSchema>;

/** An audit row's actor columns (with its user and, for a service user, its API access key) as an ActorView. */
export function actorView(r: {
  actorType: string | null;
  actorId: string | null;
  actorEmail: string | null;
  actorName: string | null;
  actorKind: string | null;
  keyId: string | null;
  keyName: string | null;
}): ActorView {
  if (r.actorKind === "service") return { type: "api_key", id: r.keyId, name: r.keyName ?? r.actorName ?? "API access key", email: null };
  if (r.actorId && (r.actorType ?? "user") === "user") return { type: "user", id: r.actorId, name: r.actorName ?? r.actorEmail ?? "someone", email: r.actorEmail };
  return { type: "system", id: null, name: r.actorType === "auto-approve" ? "auto-approve" : "Portico", email: null };
}
