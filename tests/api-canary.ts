import { z } from "zod";
import { created, defineOperation } from "@/lib/api/operation";
import { recordEvent } from "@/lib/audit/record-event";

/**
 * A test-only operation run beside the real ones by the authorization matrix and the fuzz tests:
 * Portal admin only, takes a path id and a JSON body, and WRITES (an audit event) whenever it is
 * reached. It keeps the 403 branch, the body fuzz and the "nothing written" checks exercised even
 * when no real operation takes a body or is closed to a role, and a check that runs too late shows.
 */
export const canaryOperation = defineOperation({
  operationId: "testCanaryWrite",
  method: "POST",
  path: "/test-canary/{productId}",
  tag: "Test",
  summary: "Write an audit event (test canary)",
  roles: ["portal_admin"],
  params: z.object({ productId: z.guid() }),
  body: z.object({ name: z.string().min(1).max(100).optional(), count: z.number().int().min(0).max(10).optional() }),
  responses: { 201: { description: "Written.", schema: z.object({ ok: z.boolean() }) } },
  handler: async ({ db, actor, params, body }) => {
    await recordEvent(db, { actorId: actor.id, action: "test.canary", subjectType: "product", subjectId: params.productId, data: { ...body } });
    return created({ ok: true });
  },
});
