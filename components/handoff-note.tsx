import { formatDateTime } from "@/lib/format";
import type { HandoffStatus } from "@/lib/requests/handoff-status";

/**
 * A pending request on an External plan: approvers see whom it waits for and until when, or that it
 * fell back to them; the requester sees only that a third party decides (not the endpoint's name).
 */
export function HandoffNote({ handoff, audience, className = "" }: { handoff: HandoffStatus; audience: "approver" | "requester"; className?: string }) {
  if (!handoff) return null;
  if (audience === "requester") {
    if (handoff.state !== "waiting") return null;
    return (
      <p className={`text-sm text-zinc-600 dark:text-zinc-400 ${className}`} data-testid="handoff-note">
        Waiting for a third-party decision. You will get an email when it is decided.
      </p>
    );
  }
  return (
    <p className={`text-xs text-zinc-600 dark:text-zinc-400 ${className}`} data-testid="handoff-note">
      {handoff.state === "waiting" ? (
        <>
          <span className="font-medium text-zinc-800 dark:text-zinc-200">Waiting for {handoff.endpointName}</span>
          <span className="block">Falls back to manual approval {formatDateTime(new Date(handoff.timeoutAt))} if undecided.</span>
        </>
      ) : (
        <>
          <span className="font-medium text-zinc-800 dark:text-zinc-200">Fell back to manual approval</span>
          <span className="block">
            {handoff.endpointName} did not decide by {formatDateTime(new Date(handoff.fellBackAt))}.
          </span>
        </>
      )}
    </p>
  );
}
