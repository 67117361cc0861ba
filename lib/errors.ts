/** An expected refusal with a message meant for the user (never a raw database error). */
export class DomainError extends Error {
  constructor(
    readonly code: "not_found" | "conflict" | "invalid" | "forbidden",
    message: string,
    readonly fieldErrors?: Record<string, string>,
    /** Somewhere that helps, e.g. the existing request a duplicate refers to. */
    readonly link?: { href: string; label: string },
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (what: string) =>
  new DomainError("not_found", `${what} was not found. It may have been deleted, or it belongs to someone else.`);

/** HTTP status for API routes answering a DomainError. */
export const statusOf = (e: DomainError) =>
  ({ not_found: 404, conflict: 409, invalid: 422, forbidden: 403 })[e.code];
