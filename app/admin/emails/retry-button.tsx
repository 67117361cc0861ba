"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { retryMessageAction } from "../settings/emails/actions";

export function RetryButton({ messageId }: { messageId: string }) {
  const [state, action, pending] = useActionState(retryMessageAction, null);
  return (
    <form action={action}>
      <input type="hidden" name="messageId" value={messageId} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending}>
        {pending ? "Retrying…" : "Retry now"}
      </Button>
      {state?.message ? <p className="text-xs">{state.message}</p> : null}
    </form>
  );
}
