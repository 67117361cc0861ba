"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { EmailText } from "@/components/email-text";
import * as Menu from "@radix-ui/react-dropdown-menu";
import { type FormEvent, type ReactNode, type RefObject, startTransition, useId, useRef, useState } from "react";
import { useStepUpAction } from "@/components/step-up/use-step-up-action";
import { toast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { menuItem, menuPanel } from "@/components/ui/menu";
import { Select } from "@/components/ui/select";
import type { ActionResult } from "@/lib/actions/action-result";
import { changeRoleAction, resetAuthenticatorAction, setDisabledAction } from "./actions";

export type UserRowFacts = {
  id: string;
  email: string;
  role: "consumer" | "owner" | "admin";
  disabled: boolean;
  workingKeys: number;
  hasAuthenticator: boolean;
  isMe: boolean;
};

type Open = "role" | "disable" | "reset" | null;

const ROLE_WORDS = { consumer: "Consumer", owner: "Owner", admin: "Admin" } as const;

/**
 * One menu per row ("Actions for …") instead of every control on every row. Each choice opens a
 * dialog that names the person and what will happen; Enable needs no question. The last outcome is
 * said in the row (aria-live), and focus goes back to the menu button.
 */
export function UserRowMenu({ user }: { user: UserRowFacts }) {
  const [open, setOpen] = useState<Open>(null);
  const [said, setSaid] = useState<{ ok: boolean; message: string } | null>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const done = (r: ActionResult) => {
    setSaid(r.message ? { ok: r.ok, message: r.message } : null);
    if (r.ok) {
      setOpen(null);
      if (r.message) toast.success(r.message);
    }
  };
  const role = useStepUpAction(changeRoleAction, done);
  const disable = useStepUpAction(setDisabledAction, done);
  const reset = useStepUpAction(resetAuthenticatorAction, done);
  const states = { role: role.state, disable: disable.state, reset: reset.state };
  // A dialog says only what its action answered since it opened (a refusal, or "enter a code").
  const [openedWith, setOpenedWith] = useState<ActionResult | null>(null);
  const show = (d: Exclude<Open, null>) => {
    setSaid(null);
    setOpenedWith(states[d]);
    setOpen(d);
  };
  const errorOf = (d: Exclude<Open, null>) => {
    const st = states[d];
    return open === d && st && st !== openedWith && !st.ok ? st.message : undefined;
  };
  const enable = () => {
    setSaid(null);
    const data = new FormData();
    data.set("userId", user.id);
    data.set("disabled", "false");
    startTransition(() => disable.dispatch(data));
  };
  const busy = role.pending || disable.pending || reset.pending;
  const itemClass = `${menuItem} px-3 py-2 text-sm data-[disabled]:opacity-50`;
  return (
    <div className="flex flex-col items-end gap-1">
      <Menu.Root modal={false}>
        <Menu.Trigger asChild>
          {/* Never disabled: focus comes back here when a dialog closes, even while the page refreshes.
              On a phone, where the row is a card (its box), the button takes the card's top right
              corner beside the name line (the users table's column is "menu"), 44 px for a thumb. */}
          <Button
            ref={triggerRef}
            variant="ghost"
            size="sm"
            className="max-sm:absolute max-sm:top-3 max-sm:right-2 max-sm:h-11 max-sm:min-w-11"
            aria-label={`Actions for ${user.email}${busy ? " (working…)" : ""}`}
            aria-busy={busy || undefined}
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-5">
              <path d="M10 3a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm0 5.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm1.5 7a1.5 1.5 0 1 0-3 0 1.5 1.5 0 0 0 3 0Z" />
            </svg>
            {busy ? <span className="text-xs">Working…</span> : null}
          </Button>
        </Menu.Trigger>
        <Menu.Portal>
          <Menu.Content
            align="end"
            sideOffset={4}
            className={`${menuPanel} z-40 min-w-52`}
          >
            <Menu.Item className={itemClass} onSelect={() => show("role")}>
              Change role…
            </Menu.Item>
            {user.hasAuthenticator && !user.isMe ? (
              <Menu.Item className={itemClass} onSelect={() => show("reset")}>
                Reset authenticator…
              </Menu.Item>
            ) : null}
            <Menu.Separator className="my-1 h-px bg-zinc-200 dark:bg-zinc-700" />
            {user.disabled ? (
              <Menu.Item className={itemClass} onSelect={enable}>
                Enable
              </Menu.Item>
            ) : (
              <Menu.Item className={cn(itemClass, "text-red-700 dark:text-red-400")} onSelect={() => show("disable")}>
                Disable…
              </Menu.Item>
            )}
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
      <p className={cn("max-w-64 text-right text-xs", said?.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400")}>
        {said && !open ? said.message : ""}
      </p>

      <UserDialog
        open={open === "role"}
        onClose={() => setOpen(null)}
        pending={role.pending}
        triggerRef={triggerRef}
        title={`Change the role of ${user.email}`}
        error={errorOf("role")}
      >
        <RoleFields user={user} onSubmit={role.onSubmit} pending={role.pending} onCancel={() => setOpen(null)} />
      </UserDialog>

      <UserDialog
        open={open === "disable"}
        onClose={() => setOpen(null)}
        pending={disable.pending}
        triggerRef={triggerRef}
        title={`Disable ${user.email}`}
        error={errorOf("disable")}
      >
        <form onSubmit={disable.onSubmit} className="space-y-3 text-sm">
          <input type="hidden" name="userId" value={user.id} />
          <input type="hidden" name="disabled" value="true" />
          <p className="text-zinc-700 dark:text-zinc-300">
            <EmailText text={user.email} /> will be signed out everywhere and cannot sign in. Their pending and approved requests are cancelled, so none
            can be approved or claimed. They get one email listing what ended.
          </p>
          {user.workingKeys > 0 ? (
            <div>
              <label className="flex items-center gap-2 font-medium">
                <input type="checkbox" name="revokeKeys" value="on" defaultChecked className="size-4" /> Also revoke their working keys (
                {user.workingKeys})
              </label>
              <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">Untick to keep their keys working until they expire or are revoked.</p>
            </div>
          ) : (
            <p className="text-xs text-zinc-600 dark:text-zinc-400">They have no working keys.</p>
          )}
          <DialogButtons pending={disable.pending} confirm="Disable now" working="Disabling…" danger onCancel={() => setOpen(null)} />
        </form>
      </UserDialog>

      <UserDialog
        open={open === "reset"}
        onClose={() => setOpen(null)}
        pending={reset.pending}
        triggerRef={triggerRef}
        title={`Reset the authenticator of ${user.email}`}
        error={errorOf("reset")}
      >
        <form onSubmit={reset.onSubmit} className="space-y-3 text-sm">
          <input type="hidden" name="userId" value={user.id} />
          <input type="hidden" name="email" value={user.email} />
          <p className="text-zinc-700 dark:text-zinc-300">
            Reset the authenticator of <EmailText text={user.email} />? Their authenticator and recovery codes stop working at once and they are emailed. If
            the policy covers them, they must set up a new one at their next sign-in.
          </p>
          <DialogButtons pending={reset.pending} confirm="Reset now" working="Resetting…" danger onCancel={() => setOpen(null)} />
        </form>
      </UserDialog>
    </div>
  );
}

function RoleFields({
  user,
  onSubmit,
  pending,
  onCancel,
}: {
  user: UserRowFacts;
  onSubmit: (e: FormEvent<HTMLFormElement>) => void;
  pending: boolean;
  onCancel: () => void;
}) {
  const id = useId();
  return (
    <form onSubmit={onSubmit} className="space-y-3 text-sm">
      <input type="hidden" name="userId" value={user.id} />
      <div>
        <label htmlFor={id} className="block font-medium">
          Role of <EmailText text={user.email} />
        </label>
        <Select id={id} name="role" defaultValue={user.role} className="mt-1 px-2">
          {(Object.keys(ROLE_WORDS) as (keyof typeof ROLE_WORDS)[]).map((r) => (
            <option key={r} value={r}>
              {ROLE_WORDS[r]}
            </option>
          ))}
        </Select>
        <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">Owners approve access to their products; admins run the whole portal.</p>
      </div>
      <DialogButtons pending={pending} confirm="Save role" working="Saving…" onCancel={onCancel} />
    </form>
  );
}

function DialogButtons({ pending, confirm, working, danger, onCancel }: { pending: boolean; confirm: string; working: string; danger?: boolean; onCancel: () => void }) {
  return (
    <div className="flex flex-wrap justify-end gap-2 pt-1">
      <Button type="button" variant="secondary" disabled={pending} onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" variant={danger ? "destructive" : "primary"} disabled={pending}>
        {pending ? working : confirm}
      </Button>
    </div>
  );
}

/** A centred dialog that fits a 390 px screen; while its action runs it cannot be dismissed. */
function UserDialog({
  open,
  onClose,
  pending,
  triggerRef,
  title,
  error,
  children,
}: {
  open: boolean;
  onClose: () => void;
  pending: boolean;
  triggerRef: RefObject<HTMLButtonElement | null>;
  title: string;
  error?: string;
  children: ReactNode;
}) {
  return (
    <Dialog.Root open={open} onOpenChange={(next) => (!next && !pending ? onClose() : null)}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <Dialog.Content
          aria-describedby={undefined}
          // The menu item that opened it is gone: focus returns to the row's menu button.
          onCloseAutoFocus={(e) => {
            e.preventDefault();
            triggerRef.current?.focus();
          }}
          className="fixed top-1/2 left-1/2 z-50 max-h-[90vh] w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 space-y-4 overflow-y-auto rounded-lg bg-white p-6 text-zinc-900 shadow-xl dark:bg-zinc-900 dark:text-zinc-100"
        >
          <Dialog.Title className="text-lg font-semibold break-words">{title}</Dialog.Title>
          {error ? (
            <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
              {error}
            </p>
          ) : null}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
