import { type ApiRole, describeRoles } from "@/lib/api-access/grants";
import { type Problem, problem } from "./problem";

/** Thrown by handlers for a refusal the router answers as problem+json (nothing has been written). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly extra: Partial<Problem> = {},
  ) {
    super(detail);
  }
  toResult() {
    return problem(this.status, this.message, this.extra);
  }
}

/** 403 naming the roles that would allow it ("Product approver for Ledger API or Portal admin"). */
export const forbiddenFor = (roles: readonly ApiRole[], what: string, productName?: string) =>
  new ApiError(403, `${what} needs the role ${describeRoles(roles, productName)}; this key does not hold it.`, { requiredRoles: [...roles] });
