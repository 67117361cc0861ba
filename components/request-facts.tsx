import type { ReactNode } from "react";
import type { RequestField } from "@/db/schema";
import { formatDateTime, formatDuration } from "@/lib/format";
import { EmailText } from "./email-text";
import { cn } from "./ui/cn";

export type RequestFactsInput = {
  reason: string;
  /** The requester's answers to the plan's questions, by field key. */
  fields: Record<string, string>;
  startsAt: Date;
  durationDays: number | null;
  plan: { requestFields: readonly RequestField[] };
};

/**
 * What a request asks for, the same for the requester and for approvers: who (when given), why, the
 * plan's questions with their answers, when and how long, and where the approvals stand. Long values
 * (reasons, answers) wrap inside the column instead of running past it; emails break only before
 * their "@" (EmailText).
 *
 * Each label sits beside its value where there is room (the requester's page), and above it where
 * there is not: in the queue's side panel (18rem) and on a phone, a label column beside the values
 * left them a column of a few words. The width decides (a container query on the list's own box), so
 * one component serves both places without being told which it is in.
 */
export function RequestFacts({
  request,
  approvals,
  requester,
  className,
}: {
  request: RequestFactsInput;
  /** The approvals line, e.g. "1 of 2 (Omar Owner)" or "Automatic". */
  approvals: ReactNode;
  /** Shown to approvers: who asked. */
  requester?: { name: string | null; email: string };
  className?: string;
}) {
  const labels = new Map(request.plan.requestFields.map((f) => [f.key, f.label]));
  return (
    <div className="@container">
      <dl
        className={cn(
          // Stacked, a fact's label stays close to its value and the facts stand apart (the space
          // above each label after the first); side by side from 28rem, the rows' gap does that.
          "grid grid-cols-1 gap-y-0.5 text-sm @md:grid-cols-[minmax(5rem,8rem)_minmax(0,1fr)] @md:gap-x-3 @md:gap-y-2",
          className,
        )}
        data-testid="request-facts"
      >
        {requester ? (
          // The name, then the address on a line of its own: in the panel a line holding both broke
          // between them ("Rita Requester <rita" / "@example.com>"). The name is isolated (<bdi>) like
          // the address, so a right-to-left override in it cannot reorder what follows.
          <Fact term="Requester">
            {requester.name ? (
              <>
                <bdi>{requester.name}</bdi>{" "}
              </>
            ) : null}
            <EmailText text={requester.email} className={requester.name ? "block" : undefined} />
          </Fact>
        ) : null}
        <Fact term="Reason" multiline>
          {request.reason}
        </Fact>
        {Object.entries(request.fields).map(([key, value]) => (
          <Fact key={key} term={labels.get(key) ?? key} multiline>
            {value}
          </Fact>
        ))}
        <Fact term="Starts">{formatDateTime(request.startsAt)}</Fact>
        <Fact term="Duration">{formatDuration(request.durationDays)}</Fact>
        <Fact term="Approvals">{approvals}</Fact>
      </dl>
    </div>
  );
}

function Fact({
  term,
  multiline = false,
  children,
}: {
  term: string;
  multiline?: boolean;
  children: ReactNode;
}) {
  return (
    <>
      <dt className="text-zinc-500 wrap-anywhere not-first:mt-2 @md:not-first:mt-0 dark:text-zinc-400">{term}</dt>
      <dd className={cn("min-w-0 wrap-anywhere", multiline && "whitespace-pre-wrap")}>
        {children}
      </dd>
    </>
  );
}
