"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { changeProductStatusAction } from "../actions";

type Status = "draft" | "published" | "archived";

const choices: Record<Status, { change: "publish" | "unpublish" | "archive" | "restore"; label: string; variant: "primary" | "secondary" | "danger" }[]> = {
  draft: [
    { change: "publish", label: "Publish", variant: "primary" },
    { change: "archive", label: "Archive", variant: "secondary" },
  ],
  published: [
    { change: "unpublish", label: "Unpublish (back to draft)", variant: "secondary" },
    { change: "archive", label: "Archive", variant: "secondary" },
  ],
  archived: [{ change: "restore", label: "Restore to draft", variant: "secondary" }],
};

const explain: Record<Status, string> = {
  draft: "Drafts are visible only here. Publishing puts the product in the public catalogue at once.",
  published: "In the public catalogue. Unpublishing or archiving takes it out at once; keys already issued keep working until revoked.",
  archived: "Archived: out of the catalogue. Keys already issued keep working until revoked. Restore it to edit and publish again.",
};

export function StatusActions({ id, status }: { id: string; status: Status }) {
  const [state, action, pending] = useActionState(changeProductStatusAction, null);
  return (
    <div className="space-y-3">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{explain[status]}</p>
      <div className="flex flex-wrap gap-2">
        {choices[status].map((c) => (
          <form key={c.change} action={action}>
            <input type="hidden" name="id" value={id} />
            <input type="hidden" name="change" value={c.change} />
            <Button type="submit" variant={c.variant} disabled={pending}>
              {pending ? "Working…" : c.label}
            </Button>
          </form>
        ))}
      </div>
      <div aria-live="polite">
        {state?.message ? (
          <p role={state.ok ? "status" : "alert"} className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-400" : "text-sm text-red-600 dark:text-red-400"}>
            {state.message}
          </p>
        ) : null}
      </div>
    </div>
  );
}
