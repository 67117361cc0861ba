import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { notFound, redirect } from "next/navigation";
import { z } from "zod";
import { RequestFacts } from "@/components/request-facts";
import { RequestParts } from "@/components/request-parts";
import { Timeline } from "@/components/timeline";
import { TypedList } from "@/components/label-parts";
import { HandoffNote } from "@/components/handoff-note";
import { StatusBadge } from "@/components/status-badge";
import { Card } from "@/components/ui/card";
import { db } from "@/db/client";
import { requireUser } from "@/lib/auth/guards";
import { handoffStatus } from "@/lib/requests/handoff-status";
import { getMyRequest } from "@/lib/requests/queries";
import { requesterActions } from "@/lib/requests/state-machine";
import { formatDateTime } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { env } from "@/lib/env";
import {
  keyState,
  keyStateLabel,
  keyStateTone,
  howItEnded,
  validityWindow,
} from "@/lib/keys/key-state";
import { keysOfRequest } from "@/lib/keys/queries";
import { defaultGraceChoice, maxGraceOf } from "@/lib/keys/roll-grace";
import { redirectUrlOf } from "@/lib/webhooks/redirect-consumer";
import { requestIsOAuth } from "@/lib/oauth/clients";
import { clientState, clientsOfApp } from "@/lib/oauth/queries";
import { CLIENT_STATE_LABEL, CLIENT_STATE_TONE } from "@/components/oauth-clients";
import { extensionState } from "@/lib/requests/extension-queries";
import { ContinueHandoff } from "../continue-handoff";
import { FocusOnStateChange } from "./focus-on-state-change";
import { KeyClaimedScope, OnceKeyClaimed } from "../key-claimed";
import { ExtendAccess } from "../extend-access";
import { CheckIn, GenerateKey, ResendClaimLink, RollKey } from "../key-actions";
import { RequestAction } from "../request-actions";

export const metadata: Metadata = { title: "Request" };

export default async function RequestPage({ params, searchParams }: PageProps<"/requests/[id]">) {
  const { id } = await params;
  const user = await requireUser(`/requests/${id}`);
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) notFound();
  const request = await getMyRequest(db, user.id, parsed.data);
  if (!request) notFound();
  // An extension lives on the request it extends (the Extend card there).
  if (request.extendsRequestId) redirect(`/requests/${request.extendsRequestId}#extend`);
  const flags = await searchParams;
  const actions = requesterActions(request.status).filter(
    (a) => a === "cancel" || a === "resubmit" || a === "remove",
  );
  const keys = await keysOfRequest(db, user.id, request.id);
  // An OAuth 2.0 product's request yields a client (id and secret), not an API key: the words follow.
  const oauth = await requestIsOAuth(db, request.id);
  const credential = oauth ? "OAuth client" : "key";
  const now = new Date();
  const clients = (oauth ? await clientsOfApp(db, user.id, request.appId, { requestId: request.id }) : []).map((c) => ({ ...c, state: clientState(c, now) }));
  const currentKey = keys.find((k) => k.endReason === null);
  // A redirecting plan's request waits for the third party it was sent to (lib/webhooks/redirect-consumer.ts).
  const handoffUrl = request.status === "pending" ? await redirectUrlOf(db, request.id) : null;
  const extension = await extensionState(db, user.id, request.id, now);
  // An auto-approving plan whose approval was withheld (access to these products was revoked
  // before, or the plan's owner lacks authority): an approver decided it, and decides its extensions.
  const autoApproved = request.plan.autoApprove && !request.timeline.some((e) => e.action === "request.auto_approve_withheld");
  const welcome =
    (flags.submitted === "1" || flags.resubmitted === "1") &&
    (request.status === "pending" || (request.status === "approved" && autoApproved));

  // What the requester may do with the request (Cancel request, Resubmit, …). Approved, the key is
  // what they came for: Generate key leads, and the red Cancel request follows it rather than
  // standing first on the page.
  const actionsRow =
    actions.length > 0 ? (
      <OnceKeyClaimed
        before={
          <div className="flex flex-wrap gap-3">
            {actions.map((a) => (
              <RequestAction key={a} kind={a} requestId={request.id} />
            ))}
          </div>
        }
      />
    ) : null;

  return (
    <KeyClaimedScope className="space-y-8">
      <Link href="/requests" className="text-sm text-indigo-600 dark:text-indigo-400 underline">
        ← My requests
      </Link>
      <FocusOnStateChange status={request.status} targetId="request-title" arrivalId={welcome ? "request-welcome" : undefined} />
      {/* The welcome note after submitting, while it is still true (not once cancelled or decided). */}
      {welcome ? (
        // Gone once Generate key claims the key here: its emailed link no longer works then.
        <OnceKeyClaimed
          before={
            <p
              id="request-welcome"
              tabIndex={-1}
              role="status"
              className="rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-800 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:bg-emerald-950 dark:text-emerald-300"
            >
              {request.status === "approved"
                ? request.startsAt > now
                  ? `Your request was approved automatically. Its ${credential} can be created here from ${formatDateTime(request.startsAt)}.`
                  : `Your request was approved automatically. ${oauth ? "Create your OAuth client" : "Generate your key"} below; a link to claim it is also on its way by email.`
                : request.plan.handoff
                  ? "Request submitted. A third party decides it; you will get an email when it is decided."
                  : "Request submitted. The API owners have been notified; you will get an email when they decide."}
            </p>
          }
        />
      ) : null}
      <header className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        {/* min-w-0: a flex item is as wide as its longest word otherwise. Each product's name is an
            EmailText, whose own break-words replaces the h1's wrap-anywhere and keeps an 80-character
            name's width as the column's least (e2e/bidi-adversary.spec.ts). */}
        <div className="min-w-0">
          <h1 id="request-title" tabIndex={-1} className="text-2xl font-semibold wrap-anywhere focus:outline-none">
            <TypedList names={request.products.map((p) => p.name)} />
          </h1>
          <p className="mt-1 text-zinc-600 wrap-anywhere dark:text-zinc-400">
            <bdi>{request.plan.name}</bdi> plan for <bdi>{request.appName}</bdi>
          </p>
          {/* Several owners' products: each owner approves (or revokes) their own. */}
          {request.parts.length > 1 || request.parts.some((p) => p.revokedById) ? (
            <RequestParts parts={request.parts} status={request.status} className="mt-2 text-sm" />
          ) : null}
        </div>
        <div data-testid="request-status">
          {/* Once Generate key claims it here, the request is active, as a reload would show. */}
          <OnceKeyClaimed
            before={<StatusBadge status={request.status} approvals={request.approvals} approvalsRequired={request.plan.approvalsRequired} startsAt={request.startsAt} />}
            after={<StatusBadge status="available" approvals={request.approvals} approvalsRequired={request.plan.approvalsRequired} startsAt={request.startsAt} />}
          />
          <HandoffNote
            handoff={handoffStatus(request)}
            audience="requester"
            className="mt-2 max-w-64"
          />
        </div>
      </header>

      {request.status === "approved" ? null : actionsRow}
      {handoffUrl ? (
        <Card className="space-y-3" data-testid="handoff">
          <h2 className="font-semibold">Waiting for the third party to confirm</h2>
          <p className="text-sm">
            {`This request waits for ${new URL(handoffUrl).host} to confirm it (for example, once you finish a checkout there). Not finished yet? Continue there. You will get an email when it is decided.`}
          </p>
          <ContinueHandoff requestId={request.id} host={new URL(handoffUrl).host} />
        </Card>
      ) : null}
      {request.status === "approved" ? (
        <Card className="space-y-3" data-testid="generate-key">
          <h2 className="font-semibold">{oauth ? "Your OAuth client" : "Your key"}</h2>
          {request.startsAt > now ? (
            <p className="text-sm">{`Approved, available from ${formatDateTime(request.startsAt)}. Come back then to create your ${credential} here, or use the link in your email.`}</p>
          ) : (
            <>
              <OnceKeyClaimed
                before={
                  <p className="text-sm">
                    {oauth
                      ? "Approved. Create your app's OAuth client here: you get a client ID and a client secret, and the secret is shown once, so have somewhere safe to keep it, such as your secret manager. The link in your approval email does the same and stops working once the client exists."
                      : "Approved. Generate your key here: it is shown once, so have somewhere safe to keep it, such as your secret manager. The link in your approval email does the same and stops working once the key exists."}
                  </p>
                }
              />
              <GenerateKey requestId={request.id} credential={oauth ? "client" : "key"} />
            </>
          )}
          <OnceKeyClaimed
            before={
              <details className="text-sm">
                <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">
                  Prefer the email link? Lost it, or did it expire?
                </summary>
                <div className="mt-2">
                  <ResendClaimLink requestId={request.id} />
                </div>
              </details>
            }
          />
        </Card>
      ) : null}
      {request.status === "approved" ? actionsRow : null}

      {keys.length > 0 ? (
        <Card className="space-y-4">
          <h2 className="font-semibold">API keys</h2>
          {request.status === "available" ? (
            <div className="flex flex-wrap items-start gap-3">
              {currentKey ? (
                <RollKey
                  requestId={request.id}
                  keyId={currentKey.id}
                  maxGraceHours={maxGraceOf(request.plan)}
                  defaultGraceHours={defaultGraceChoice(
                    env.rollGraceHours,
                    maxGraceOf(request.plan),
                  )}
                />
              ) : null}
              <CheckIn requestId={request.id} />
            </div>
          ) : null}
          <ul
            className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800"
            aria-label="Keys of this request"
          >
            {keys.map((k) => {
              const state = keyState(k, now);
              const ended = howItEnded(k, now);
              return (
                <li
                  key={k.id}
                  className="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:justify-between"
                  data-testid="request-key"
                >
                  <div>
                    <span className="font-mono">{k.start}…</span>{" "}
                    <Badge tone={keyStateTone[state]}>{keyStateLabel[state]}</Badge>
                    <p className="text-zinc-500 dark:text-zinc-400">{validityWindow(k)}</p>
                    {ended ? <p className="text-zinc-500 dark:text-zinc-400">{ended}</p> : null}
                  </div>
                  <p className="text-zinc-500 dark:text-zinc-400">
                    {k.lastUsedAt ? `Last used ${formatDateTime(k.lastUsedAt)}` : "Never used"}
                  </p>
                </li>
              );
            })}
          </ul>
        </Card>
      ) : null}

      {clients.length > 0 ? (
        <Card className="space-y-3" data-testid="request-oauth-clients">
          <h2 className="font-semibold">OAuth 2.0 client</h2>
          <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800" aria-label="OAuth clients of this request">
            {clients.map((c) => (
              <li key={c.id} className="py-2">
                <span className="font-mono break-all">{c.clientId}</span>{" "}
                <Badge tone={CLIENT_STATE_TONE[c.state]}>{CLIENT_STATE_LABEL[c.state]}</Badge>
                <p className="text-zinc-500 dark:text-zinc-400">
                  {`Valid from ${formatDateTime(c.validFrom)}${c.expiresAt ? ` until ${formatDateTime(c.expiresAt)}` : ""} · ${c.lastUsedAt ? `last used ${formatDateTime(c.lastUsedAt)}` : "never used"}`}
                </p>
              </li>
            ))}
          </ul>
          {/* The app page's controls are for working clients; an ended one has nothing to do there. */}
          {clients.some((c) => c.state === "active" || c.state === "not_yet") ? (
            <p className="text-sm">
              <Link href={`/apps/${request.appId}#oauth-clients-title`} className="text-indigo-600 underline dark:text-indigo-400">
                Roll its secret, check it in or see the token call on <bdi>{request.appName}</bdi>&apos;s page
              </Link>
            </p>
          ) : null}
        </Card>
      ) : null}

      {extension &&
      (extension.latest || (request.status === "available" && extension.expiresAt)) ? (
        <Card className="space-y-3" id="extend" data-testid="extend">
          <h2 className="font-semibold">More time</h2>
          {request.status === "available" && extension.expiresAt ? (
            <p className="text-sm" data-testid="key-expiry">
              {`Your key expires on ${formatDateTime(extension.expiresAt)}.`}
            </p>
          ) : null}
          {extension.latest?.status === "pending" ? (
            <p className="text-sm" role="status">
              {`You asked for more time on ${formatDateTime(extension.latest.createdAt)}. It waits for approval; you will get an email when it is decided. Your key works as before meanwhile.`}
            </p>
          ) : extension.latest?.status === "completed" && extension.latest.decidedAt ? (
            <p className="text-sm">{`Extended on ${formatDateTime(extension.latest.decidedAt)}: the same key, a later expiry.`}</p>
          ) : extension.latest?.status === "denied" ? (
            <p className="text-sm">
              {`Your last request for more time was denied${extension.latest.decidedAt ? ` (${formatDateTime(extension.latest.decidedAt)})` : ""}.`}
              {extension.latest.comment ? (
                <span className="mt-1 block italic">“{extension.latest.comment}”</span>
              ) : null}
            </p>
          ) : extension.latest?.status === "cancelled" ? (
            <p className="text-sm">Your last request for more time was cancelled.</p>
          ) : null}
          {extension.mayAsk && extension.days ? (
            <>
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                {`Ask for ${extension.days} more days with the same key: nothing to claim, nothing to change in your app. ${autoApproved ? "This plan extends at once." : "The API owners decide, as for a new request."}`}
              </p>
              <ExtendAccess requestId={request.id} days={extension.days} />
            </>
          ) : request.status === "available" &&
            extension.opensAt &&
            extension.opensAt > now &&
            extension.latest?.status !== "pending" ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">{`You can ask for more time from ${formatDateTime(extension.opensAt)}.`}</p>
          ) : null}
        </Card>
      ) : null}

      {request.resubmittedAsId ? (
        <p className="text-sm">
          Resubmitted as{" "}
          <Link href={`/requests/${request.resubmittedAsId}`} className="text-indigo-600 dark:text-indigo-400 underline">
            a new request
          </Link>
          .
        </p>
      ) : null}
      {request.resubmittedFromId ? (
        <p className="text-sm">
          Resubmission of{" "}
          <Link
            href={`/requests/${request.resubmittedFromId}`}
            className="text-indigo-600 dark:text-indigo-400 underline"
          >
            an earlier request
          </Link>
          .
        </p>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-2">
        <Card className="min-w-0">
          <h2 className="mb-3 font-semibold">Details</h2>
          <RequestFacts
            request={request}
            approvals={
              autoApproved
                ? "Automatic"
                : `${request.approvals} of ${request.plan.approvalsRequired}${handoffStatus(request)?.state === "waiting" ? " (a third party decides first)" : ""}`
            }
          />
        </Card>
        <Card className="min-w-0">
          <h2 className="mb-3 font-semibold">Timeline</h2>
          <Timeline events={request.timeline} />
        </Card>
      </div>
    </KeyClaimedScope>
  );
}
