"use client";

import { type FormEvent, useEffect, useRef } from "react";
import { ConfirmStepButtons } from "@/components/confirm-step-buttons";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { toast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { useConfirmStep } from "@/components/use-confirm-step";
import { useFocusBack } from "@/components/use-focus-back";
import { useHydrated } from "@/components/use-hydrated";
import { decideAction } from "./actions";

/**
 * Approve or deny one or many requests. A comment is optional to approve and required to deny (the
 * requester reads it). With `confirmDeny` (the bulk form, where one click would end several requests
 * at once) Deny asks first, in place; Cancel or Escape leaves every request pending.
 */
export function DecisionForm({
  requestIds,
  onDone,
  confirmDeny = false,
}: {
  requestIds: string[];
  onDone?: (result: { ok: boolean; message: string }) => void;
  confirmDeny?: boolean;
}) {
  // A field to fix keeps the form (and the selection) open; anything else is reported by the caller.
  // A step-up (a code from the authenticator) keeps the form as typed and sends it again.
  const formRef = useRef<HTMLFormElement>(null);
  const { state, pending, onSubmit } = useStepUpAction(decideAction, (result) => {
    if (result.ok) formRef.current?.reset();
    if (result.fieldErrors) return;
    if (onDone) onDone({ ok: result.ok, message: result.message ?? "" });
    else if (result.message) (result.ok ? toast.success : toast.error)(result.message);
  });
  const n = requestIds.length;
  const denyStep = useConfirmStep({ busy: pending });
  // The action is a client function: before hydration a click would be lost, so the buttons wait.
  const ready = useHydrated() && !pending && n > 0;
  const id = `comment-${requestIds[0] ?? "none"}-${n}`;
  const commentError = state && !state.ok ? state.fieldErrors?.comment : undefined;
  // A refused denial puts focus in the comment box, where the message about it is read.
  // If the comment was emptied after Deny asked, the question ("emailed your comment") no longer
  // holds: it steps back, and the buttons return beside the refusal.
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const { stepBack } = denyStep;
  useEffect(() => {
    if (!commentError) return;
    stepBack();
    commentRef.current?.focus();
  }, [state, commentError, stepBack]);
  // A decision that leaves the form in place (a step-up cancelled, the database away) gives the focus
  // back to the button that sent it, Approve or Deny, disabled while it ran. One that went through
  // ends the form, and the panel's heading takes the focus (PanelHeading).
  const submitter = useRef<HTMLButtonElement | null>(null);
  useFocusBack(submitter, pending);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const by = (event.nativeEvent as SubmitEvent).submitter;
    // A denial without a comment goes straight to the server, which refuses it and says why next to
    // the field: there is nothing to confirm yet.
    const comment = new FormData(event.currentTarget).get("comment");
    if (confirmDeny && !denyStep.confirming && by instanceof HTMLButtonElement && by.value === "deny" && typeof comment === "string" && comment.trim()) {
      event.preventDefault();
      denyStep.open();
      return;
    }
    submitter.current = by instanceof HTMLButtonElement ? by : null;
    onSubmit(event);
  };
  return (
    <form
      ref={formRef}
      onSubmit={submit}
      // Escape anywhere in the form while Deny asks (the comment box too) steps back.
      onKeyDown={denyStep.confirming ? denyStep.onKeyDown : undefined}
      className="space-y-3"
      aria-label={n === 1 ? "Decide this request" : `Decide ${n} requests`}
    >
      <input type="hidden" name="requestIds" value={requestIds.join(",")} />
      <label htmlFor={id} className="block text-sm font-medium">
        Comment (required to deny; the requester reads it)
      </label>
      <Textarea
        ref={commentRef}
        id={id}
        name="comment"
        rows={3}
        maxLength={2000}
        aria-invalid={commentError ? true : undefined}
        aria-describedby={commentError ? `${id}-error` : undefined}
        className="inline-block"
      />
      {commentError ? (
        <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
          {commentError}
        </p>
      ) : null}
      {denyStep.confirming ? (
        <div ref={denyStep.stepRef} role="group" aria-label={denyQuestion(n)} className="space-y-2">
          <input type="hidden" name="decision" value="deny" />
          <p className="text-sm font-medium">
            {denyQuestion(n)} {n === 1 ? "The requester is" : "Each requester is"} emailed your comment. This cannot be undone.
          </p>
          <ConfirmStepButtons step={denyStep} pending={pending} confirmLabel={n === 1 ? "Deny now" : `Deny ${n} now`} pendingLabel="Denying…" />
        </div>
      ) : (
        <div className="flex gap-2">
          <Button type="submit" name="decision" value="approve" disabled={!ready}>
            {pending ? "Working…" : n === 1 ? "Approve" : `Approve ${n}`}
          </Button>
          <Button ref={denyStep.triggerRef} type="submit" name="decision" value="deny" variant="destructive" disabled={!ready}>
            {n === 1 ? "Deny" : `Deny ${n}`}
          </Button>
        </div>
      )}
      {pending && n > 1 ? (
        // The decisions run in one transaction: no count to show, but the wait is visible.
        <progress aria-label={`Deciding ${n} requests`} className="h-2 w-full accent-indigo-600" />
      ) : null}
      <p aria-live="polite" className="text-sm whitespace-pre-line" data-testid="decision-result">
        {pending ? `Deciding ${n} ${n === 1 ? "request" : "requests"}…` : commentError || onDone ? "" : (state?.message ?? "")}
      </p>
    </form>
  );
}

function denyQuestion(n: number) {
  return n === 1 ? "Deny 1 request?" : `Deny ${n} requests?`;
}
