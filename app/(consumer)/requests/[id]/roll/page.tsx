import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { Card } from "@/components/ui/card";
import { TypedList } from "@/components/label-parts";
import { db } from "@/db/client";
import { requireUser } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { formatDateTime } from "@/lib/format";
import { keysOfRequest } from "@/lib/keys/queries";
import { defaultGraceChoice, maxGraceOf } from "@/lib/keys/roll-grace";
import { getMyRequest } from "@/lib/requests/queries";
import { RollKey } from "../../key-actions";

export const metadata: Metadata = { title: "Roll key" };

/**
 * Roll key (the reminder emails link here): the current key, then one confirmation with the grace
 * choice. Sign-in first (requireUser comes back here); only the requester's own request is found.
 */
export default async function RollKeyPage({ params }: PageProps<"/requests/[id]/roll">) {
  const { id } = await params;
  const user = await requireUser(`/requests/${id}/roll`);
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) notFound();
  const request = await getMyRequest(db, user.id, parsed.data);
  if (!request) notFound();
  const keys = await keysOfRequest(db, user.id, request.id);
  const current = request.status === "available" ? keys.find((k) => k.endReason === null) : undefined;
  const maxGrace = maxGraceOf(request.plan);

  return (
    <div className="max-w-2xl space-y-6">
      <Link href={`/requests/${request.id}`} className="text-sm text-indigo-600 dark:text-indigo-400 underline">
        ← Back to the request
      </Link>
      <header>
        <h1 className="text-2xl font-semibold">Roll key</h1>
        {/* Each typed name its own <bdi>: an override in one reversed "plan for" (e2e/bidi-adversary.spec.ts). */}
        <p className="mt-1 text-zinc-600 wrap-anywhere dark:text-zinc-400">
          <TypedList names={request.products.map((p) => p.name)} /> · <bdi>{request.plan.name}</bdi> plan for <bdi>{request.appName}</bdi>
        </p>
      </header>
      {current ? (
        <>
          <Card className="space-y-2 text-sm" data-testid="current-key">
            <h2 className="font-semibold">Current key</h2>
            <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1">
              <dt className="text-zinc-500 dark:text-zinc-400">Key</dt>
              <dd className="font-mono">{current.start}…</dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Works from</dt>
              <dd>{formatDateTime(current.validFrom)}</dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Expires</dt>
              <dd>{current.expiresAt ? formatDateTime(current.expiresAt) : "Never"}</dd>
              <dt className="text-zinc-500 dark:text-zinc-400">Last used</dt>
              <dd>{current.lastUsedAt ? formatDateTime(current.lastUsedAt) : "Never"}</dd>
            </dl>
            <p className="text-zinc-500 dark:text-zinc-400">
              The new key has the same expiry. For more time, use Extend on the{" "}
              <Link href={`/requests/${request.id}`} className="text-indigo-600 dark:text-indigo-400 underline">
                request page
              </Link>
              .
            </p>
          </Card>
          <Card>
            <RollKey requestId={request.id} keyId={current.id} maxGraceHours={maxGrace} defaultGraceHours={defaultGraceChoice(env.rollGraceHours, maxGrace)} standalone />
          </Card>
        </>
      ) : (
        <Card className="space-y-2 text-sm" role="status">
          <p>
            {request.status === "available"
              ? "This request has no working key to roll."
              : request.status === "approved"
                ? "There is no key to roll yet: generate it first on the request page."
                : `There is no key to roll: this request is ${request.status}.`}{" "}
            <Link href={`/requests/${request.id}`} className="text-indigo-600 dark:text-indigo-400 underline">
              Open the request
            </Link>{" "}
            to see where it stands.
          </p>
        </Card>
      )}
    </div>
  );
}
