import type { z } from "zod";
import type { Database } from "@/db/connect";
import type { ApiRole } from "@/lib/api-access/grants";
import type { ApiKeyActor } from "@/lib/auth/permissions";

/** What an operation's handler answers: JSON (`body`), or a stream (`stream`, e.g. CSV). */
export type ApiResult = { status: number; body?: unknown; stream?: ReadableStream<Uint8Array>; headers?: Record<string, string> };

export type ApiContext<P, Q, B> = {
  actor: ApiKeyActor;
  params: P;
  query: Q;
  body: B;
  db: Database;
  /** The portal's URL (AUTH_URL): links in emails, the token issuer. */
  baseUrl: string;
  request: Request;
};

export type ResponseSpec = { description: string; schema?: z.ZodType; contentType?: string; headers?: Record<string, string> };

type AnyObject = z.ZodObject<z.ZodRawShape>;

/**
 * One operation of the portal REST API (/api/v1). The router (lib/api/router.ts) authenticates,
 * checks `roles`, validates `params`, `query` and `body` with these zod schemas, and answers refusals
 * as problem+json; the OpenAPI document (lib/api/document.ts) is generated from the same schemas.
 */
export type Operation<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType> = {
  operationId: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** OpenAPI path under /api/v1, e.g. "/products/{productId}". */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Roles that allow the call at all; handlers narrow product-scoped ones further. */
  roles: readonly ApiRole[];
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses (errors are documented for every operation by the document builder). */
  responses: Record<number, ResponseSpec>;
  handler: (ctx: ApiContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<ApiResult>;
};

export const defineOperation = <P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(op: Operation<P, Q, B>) =>
  op as unknown as Operation;

/** JSON answer helpers for handlers. */
export const ok = (body: unknown, headers?: Record<string, string>): ApiResult => ({ status: 200, body, headers });
export const created = (body: unknown, location?: string): ApiResult => ({ status: 201, body, headers: location ? { Location: location } : undefined });
