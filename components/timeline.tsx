import { formatDateTime } from "@/lib/format";
import { requestEventWords, stateEnteredBy } from "@/lib/requests/event-words";
import { requestState } from "@/lib/requests/status-label";
import { EmailText } from "./email-text";
import { Badge } from "./ui/badge";
import { cn } from "./ui/cn";

export type TimelineEvent = {
  id: string | number;
  action: string;
  actorType: string;
  actorName: string | null;
  comment: string | null;
  createdAt: Date;
  /** How a key was claimed: "request-page" for Generate key, otherwise the emailed link. */
  via?: string | null;
  /** "oauth_client" when the claim created an OAuth client rather than a key. */
  credential?: string | null;
};

/** Who did it, in words a requester and an approver both read: a name, or the email of someone without one. */
function actorWords(e: TimelineEvent) {
  if (e.actorType === "auto-approve") return "automatically";
  if (e.actorType === "system" || e.actorType === "job") return "Portico";
  return e.actorName ?? "Portico";
}

/**
 * A request's history, oldest first: what happened and who did it, then when, in the portal's date
 * format. An event that moves the request to a new state shows that state's badge, in the one
 * vocabulary and colour of the status badges (lib/requests/status-label.ts) — instead of the words when
 * they would only repeat it. Comments and names wrap inside the column. Used by the requester's
 * request page and the approver's detail panel alike.
 */
export function Timeline({
  events,
  className,
  label = "Timeline",
}: {
  events: readonly TimelineEvent[];
  className?: string;
  label?: string;
}) {
  if (events.length === 0)
    return <p className="text-sm text-zinc-500 dark:text-zinc-400">Nothing has happened yet.</p>;
  return (
    <ol className={cn("space-y-3 text-sm", className)} aria-label={label}>
      {events.map((e) => {
        const status = stateEnteredBy(e.action);
        const words = requestEventWords(e.action, e.via, e.credential);
        const state = status ? requestState(status) : null;
        return (
          <li
            key={e.id}
            className="min-w-0 border-l-2 border-zinc-200 pl-3 dark:border-zinc-700"
            data-testid="timeline-event"
          >
            <p className="wrap-anywhere">
              {state && status ? (
                <Badge
                  tone={state.tone}
                  title={state.description}
                  data-status={status}
                  className="mr-1.5"
                >
                  {state.label}
                </Badge>
              ) : null}
              {state?.label === words ? null : <span className="font-medium">{words} </span>}
              <span className="text-zinc-600 dark:text-zinc-400">
                · <EmailText text={actorWords(e)} />
              </span>
            </p>
            <p className="text-zinc-500 dark:text-zinc-400">
              <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time>
            </p>
            {e.comment ? (
              <p className="mt-1 whitespace-pre-wrap italic wrap-anywhere">“{e.comment}”</p>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
