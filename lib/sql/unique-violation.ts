/**
 * Whether `error` (or what it wraps: Drizzle puts the postgres.js error in `cause`) is a unique
 * violation of `constraint`. Lets a domain function answer a lost race with the same field message
 * as its pre-check instead of a raw database error.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const { code, constraint_name } = e as { code?: unknown; constraint_name?: unknown };
    if (code === "23505" && constraint_name === constraint) return true;
  }
  return false;
}
