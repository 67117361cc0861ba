import { and, eq, ne } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { products } from "@/db/schema";
import { DomainError } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/sql/unique-violation";
import { checkOpenApi } from "./openapi";

const invalid = (fieldErrors: Record<string, string>) => new DomainError("invalid", "Check the highlighted fields.", fieldErrors);

export const slugTaken = () => invalid({ slug: "That slug is taken. Choose another address for this product." });

/** Refuses a slug another product already uses (the unique index catches a concurrent one). */
export async function assertSlugFree(db: Queryable, slug: string, exceptId: string | null) {
  const [other] = await db
    .select({ id: products.id })
    .from(products)
    .where(exceptId ? and(eq(products.slug, slug), ne(products.id, exceptId)) : eq(products.slug, slug))
    .limit(1);
  if (other) throw slugTaken();
}

/**
 * Refuses an invalid OpenAPI document with the validator's reason beside the field, and every
 * problem it found as `openapi.1`, `openapi.2`, … ("path: message"), so the form can list them all.
 */
export async function assertOpenApi(text: string | null) {
  if (text === null) return;
  const check = await checkOpenApi(text);
  if (!check.ok) {
    const listed = check.problems.length > 1 ? Object.fromEntries(check.problems.map((p, i) => [`openapi.${i + 1}`, p.path ? `${p.path}: ${p.message}` : p.message])) : {};
    throw invalid({ openapi: check.message, ...listed });
  }
}

/** A lost race on the slug's unique index reads like the pre-check's answer. */
export function asSlugTaken(error: unknown): never {
  if (isUniqueViolation(error, "products_slug_key")) throw slugTaken();
  throw error;
}
