import { Link } from "@/components/ui/link";
import { AuditTimelineLink } from "@/components/audit-timeline-link";
import { RequestFacts } from "@/components/request-facts";
import { RequestParts } from "@/components/request-parts";
import { partWords } from "@/lib/requests/part-words";
import { Timeline } from "@/components/timeline";
import { ExtensionNote } from "@/components/extension-note";
import { HandoffNote } from "@/components/handoff-note";
import { StatusBadge } from "@/components/status-badge";
import { Card } from "@/components/ui/card";
import type { SessionUser } from "@/lib/auth/guards";
import type { queueDetail } from "@/lib/admin/queue-query";
import { formatDateTime } from "@/lib/format";
import { requestState } from "@/lib/requests/status-label";
import type { RecentCalls } from "@/lib/usage/queries";
import { RevokeForm } from "../keys/revoke-form";
import { DecisionForm } from "./decision-form";
import { PanelHeading } from "./panel-heading";
import { TypedList } from "@/components/label-parts";

/** Why the buttons are absent: said where the buttons would be. */
function Note({ children, testId }: { children: React.ReactNode; testId: string }) {
  return (
    <p className="rounded-md bg-indigo-50 p-3 text-sm text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300" data-testid={testId}>
      {children}
    </p>
  );
}

type Detail = Awaited<ReturnType<typeof queueDetail>>;

/** "2 of 2 (Ada Admin, Omar Owner)": each approver apart (TypedList), so one name cannot reorder the next. */
function ApprovalsLine({ people, required }: { people: readonly { approverId: string; name: string | null; email: string }[]; required: number }) {
  return (
    <>
      {people.length} of {required}
      {people.length > 0 ? (
        <>
          {" ("}
          <TypedList names={people.map((a) => a.name ?? a.email)} />)
        </>
      ) : null}
    </>
  );
}

export function DetailPanel({
  detail,
  closeHref,
  viewer,
  recentCalls,
}: {
  detail: Detail;
  closeHref: string;
  viewer: SessionUser;
  /** The request's calls today and yesterday, named in the revoke confirmation. */
  recentCalls?: RecentCalls;
}) {
  if (!detail) {
    return (
      <Card role="region" aria-label="Request details">
        <p className="text-sm">This request does not exist or is not for your products.</p>
        <Link href={closeHref} className="text-sm text-indigo-600 dark:text-indigo-400 underline">
          Close
        </Link>
      </Card>
    );
  }
  const r = detail.request;
  const waiting = detail.parts.filter((p) => !p.approvedById).map((p) => p.productName);
  const approvalsLeft = Math.max(0, r.plan.approvalsRequired - detail.approvals.length);
  return (
    <Card role="region" aria-label="Request details" className="min-w-0 space-y-5 self-start [overflow-wrap:anywhere] max-lg:rounded-none max-lg:border-0 max-lg:shadow-none">
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <PanelHeading requestId={r.id} stage={`${r.status}:${detail.mayDecide}`}>
            <TypedList names={detail.products.map((p) => p.name)} />
          </PanelHeading>
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            <bdi>{r.plan.name}</bdi> · <bdi>{detail.appName}</bdi>
          </p>
        </div>
        <Link href={closeHref} scroll={false} className="shrink-0 text-sm text-indigo-600 underline dark:text-indigo-400" aria-label="Close details">
          Close
        </Link>
      </div>
      <StatusBadge status={r.status} approvals={detail.approvals.length} approvalsRequired={r.plan.approvalsRequired} startsAt={r.startsAt} />
      <HandoffNote handoff={detail.handoff} audience="approver" className="text-sm" />
      <ExtensionNote extension={detail.extension} status={r.status} className="text-sm" />
      {/* Only when some product's line says where it stands: a denied or cancelled request's line
          would be its products' names alone, the heading again. */}
      {detail.parts.some((p) => partWords(p, r.status)) ? <RequestParts parts={detail.parts} status={r.status} className="text-sm" /> : null}
      <RequestFacts
        request={r}
        requester={{ name: detail.requesterName, email: detail.requesterEmail }}
        approvals={<ApprovalsLine people={detail.approvals} required={r.plan.approvalsRequired} />}
      />
      {r.status === "pending" ? (
        detail.whyNot ? (
          <Note testId="why-no-decision">{detail.whyNot}</Note>
        ) : !detail.mayDecide ? (
          <Note testId="already-approved">
            You approved this request.
            {waiting.length > 0 ? (
              <>
                {" "}It still waits for the owner of <TypedList names={waiting} />.
              </>
            ) : null}
            {approvalsLeft > 0 ? ` It needs ${approvalsLeft} more ${approvalsLeft === 1 ? "approval" : "approvals"} from other approvers.` : ""}
          </Note>
        ) : (
          <div className="space-y-2">
            {detail.otherProducts.length > 0 ? (
              <p className="text-sm" data-testid="decision-covers">
                Your approval covers <TypedList names={detail.myProducts} />. <TypedList names={detail.otherProducts} />{" "}
                {detail.otherProducts.length === 1 ? "is" : "are"} approved by {detail.otherProducts.length === 1 ? "its owner" : "their owners"}; a
                denial ends the whole request.
              </p>
            ) : null}
            <DecisionForm requestIds={[r.id]} />
          </div>
        )
      ) : null}
      {r.status === "approved" || r.status === "available" ? (
        detail.mayRevoke ? (
          <div className="space-y-1">
            <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="revoke-covers">
              {detail.otherProducts.length > 0 ? (
                <>
                  Revoking stops the key for <TypedList names={detail.myProducts} /> at once and emails the requester your reason;{" "}
                  <TypedList names={detail.otherProducts} /> {detail.otherProducts.length === 1 ? "stays" : "stay"} with{" "}
                  {detail.otherProducts.length === 1 ? "its owner" : "their owners"}.
                </>
              ) : (
                "Revoking denies the request after approval: its key stops at once and the requester is emailed your reason."
              )}
            </p>
            <RevokeForm requestId={r.id} label={detail.otherProducts.length > 0 ? "Revoke my products" : "Revoke access"} recentCalls={recentCalls} />
          </div>
        ) : detail.whyNot ? (
          <Note testId="why-no-revoke">{detail.whyNot}</Note>
        ) : (
          <Note testId="why-no-revoke">You revoked your products of this request. The other owners decide about theirs.</Note>
        )
      ) : null}
      <section>
        <h3 className="mb-2 text-sm font-semibold">Timeline</h3>
        <AuditTimelineLink subjectType="request" subjectId={r.id} viewerRole={viewer.role} className="mb-2 block text-xs text-indigo-600 dark:text-indigo-400 underline" />
        <Timeline events={detail.timeline} />
      </section>
      <section>
        <h3 className="mb-2 text-sm font-semibold">Requester’s other requests</h3>
        {detail.others.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">None.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {detail.others.map((o) => (
              <li key={o.id}>
                <Link href={`/admin/requests?status=all&open=${o.id}`} className="text-indigo-600 dark:text-indigo-400 underline">
                  {o.productNames.join(", ")} ({o.planName})
                </Link>{" "}
                <span className="text-zinc-500 dark:text-zinc-400">
                  · {requestState(o.status).label} · {formatDateTime(o.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Card>
  );
}
