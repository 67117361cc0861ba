import type { ReactNode } from "react";
import type { RequestField } from "@/db/schema";
import { formatDateTime, formatDuration } from "@/lib/format";
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
 * (emails, reasons, answers) wrap inside the column instead of running past it.
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
    <dl
      className={cn(
        "grid grid-cols-[minmax(5rem,8rem)_minmax(0,1fr)] gap-x-3 gap-y-2 text-sm",
        className,
      )}
      data-testid="request-facts"
    >
      {requester ? (
        <Fact term="Requester">
          {requester.name ? `${requester.name} <${requester.email}>` : requester.email}
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
      <dt className="text-zinc-500 wrap-anywhere dark:text-zinc-400">{term}</dt>
      <dd className={cn("min-w-0 wrap-anywhere", multiline && "whitespace-pre-wrap")}>
        {children}
      </dd>
    </>
  );
}
