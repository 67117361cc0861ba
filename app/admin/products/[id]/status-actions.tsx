"use client";

import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { useActionToast } from "@/components/toast";
import { ConfirmStepButtons } from "@/components/confirm-step-buttons";
import { Button } from "@/components/ui/button";
import { useConfirmStep } from "@/components/use-confirm-step";
import type { RecentCalls } from "@/lib/usage/queries";
import { recentUseWords, usedLately } from "@/lib/usage/recent-use-words";
import { changeProductStatusAction } from "../actions";

type Status = "draft" | "published" | "archived";

const choices: Record<Status, { change: "publish" | "unpublish" | "archive" | "restore"; label: string; variant: "primary" | "secondary" | "destructive" }[]> = {
  draft: [
    { change: "publish", label: "Publish", variant: "primary" },
    { change: "archive", label: "Archive", variant: "destructive" },
  ],
  published: [
    { change: "unpublish", label: "Unpublish (back to draft)", variant: "secondary" },
    { change: "archive", label: "Archive", variant: "destructive" },
  ],
  archived: [{ change: "restore", label: "Restore to draft", variant: "secondary" }],
};

const explain: Record<Status, string> = {
  draft: "Drafts are visible only here. Publishing puts the product in the public catalogue at once.",
  published: "In the public catalogue. Unpublishing takes it out at once and keys already issued keep working; archiving also stops its keys working for it.",
  archived: "Archived: out of the catalogue, and its keys no longer work for it. Restore it to edit and publish again (keys that were not revoked work again).",
};

/** What archiving would stop, counted when the page was rendered. */
export type ProductAccess = { keys: number; unclaimed: number };

export function StatusActions({
  id,
  name,
  status,
  access,
  recentCalls,
}: {
  id: string;
  name: string;
  status: Status;
  access: ProductAccess;
  /** Calls that named this product today and yesterday (UTC), said before archiving stops them. */
  recentCalls?: RecentCalls;
}) {
  const { state, pending, onSubmit } = useStepUpAction(changeProductStatusAction);
  useActionToast(state);
  const archive = useConfirmStep({ busy: pending });
  return (
    <div className="space-y-3">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{explain[status]}</p>
      <div className="flex flex-wrap gap-2">
        {choices[status].map((c) =>
          c.change === "archive" ? (
            <Button key={c.change} ref={archive.triggerRef} type="button" variant={c.variant} disabled={pending || archive.confirming} onClick={archive.open}>
              {c.label}
            </Button>
          ) : (
            <form key={c.change} onSubmit={onSubmit}>
              <input type="hidden" name="id" value={id} />
              <input type="hidden" name="change" value={c.change} />
              <Button type="submit" variant={c.variant} disabled={pending}>
                {pending ? "Working…" : c.label}
              </Button>
            </form>
          ),
        )}
      </div>
      {archive.confirming ? (
        <form
          ref={archive.stepRef}
          onSubmit={onSubmit}
          role="group"
          aria-label={`Archive ${name}`}
          onKeyDown={archive.onKeyDown}
          className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-700"
        >
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="change" value="archive" />
          <p data-testid="archive-access">
            “{name}” leaves the catalogue and its keys stop working for it at once.{" "}
            {access.keys === 0 && access.unclaimed === 0
              ? "No one has a working key for it."
              : `There ${access.keys === 1 ? "is 1 working key" : `are ${access.keys} working keys`} for it${
                  access.unclaimed > 0 ? `, and ${access.unclaimed} approved ${access.unclaimed === 1 ? "request" : "requests"} not yet claimed` : ""
                }.`}
            {recentCalls && usedLately(recentCalls) ? ` ${recentUseWords(recentCalls, "archive")}` : null}
          </p>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="revokeKeys" value="on" /> Also revoke their access ({access.keys}{" "}
            {access.keys === 1 ? "key" : "keys"}): for good, even if you restore the product; each requester is emailed
          </label>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">Without revoking, the keys work again if you restore the product.</p>
          <ConfirmStepButtons step={archive} pending={pending} confirmLabel="Archive now" pendingLabel="Archiving…" />
        </form>
      ) : null}
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
