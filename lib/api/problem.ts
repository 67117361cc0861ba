import { z } from "zod";

/** RFC 9457 problem details; `errors` lists per-field problems of a 422. */
export const fieldProblem = z
  .object({
    in: z.enum(["body", "query", "path", "header"]),
    field: z.string().meta({ description: "Dotted path of the field, e.g. `roles.0.products`; empty for the whole part." }),
    detail: z.string(),
  })
  .meta({ id: "FieldProblem" });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(fieldProblem).optional(),
    requiredRoles: z.array(z.string()).optional().meta({ description: "On 403: the roles that would allow the call." }),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json)." });
export type Problem = z.infer<typeof problemSchema>;
export type FieldProblem = z.infer<typeof fieldProblem>;

export const PROBLEM_TYPE = "about:blank";
const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** A problem+json response; the API's every refusal goes through here. */
export function problem(status: number, detail: string, extra: Partial<Problem> = {}, headers: Record<string, string> = {}) {
  const body: Problem = { type: PROBLEM_TYPE, title: TITLES[status] ?? "Error", status, detail, ...extra };
  return { status, body, headers: { "Content-Type": "application/problem+json", ...headers } };
}

/** zod issues as field problems. */
export const fieldProblems = (where: FieldProblem["in"], error: z.ZodError): FieldProblem[] =>
  error.issues.map((i) => ({ in: where, field: i.path.map(String).join("."), detail: i.message }));
