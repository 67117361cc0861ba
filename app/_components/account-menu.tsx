"use client";

import * as Menu from "@radix-ui/react-dropdown-menu";
import { useRef } from "react";
import { signOutAction } from "@/app/(auth)/signin/actions";
import { ChevronDown } from "@/components/ui/chevron-down";
import { Link } from "@/components/ui/link";
import { menuItem, menuPanel } from "@/components/ui/menu";
import type { SessionState } from "@/lib/session/header-session";

type SignedIn = NonNullable<SessionState["user"]>;

const ROLE_WORDS: Record<SignedIn["role"], string> = { consumer: "Consumer", owner: "Owner", admin: "Admin" };

const itemClass = `${menuItem} px-2 py-1.5`;

/**
 * The signed-in person's own things behind one button (their name), so the header stays one row
 * however long the portal's name: who they are, their account security (not the admin's sign-in
 * policy), and Sign out; on a phone, inside the header's Menu, the same listed plainly. Radix gives
 * the keys (Enter, Space or ArrowDown open; arrows move; Escape closes and gives focus back to the
 * button).
 */
export function AccountMenu({ user }: { user: SignedIn }) {
  // Sign out stays the form POST it always was (a server action). The form sits outside the menu:
  // choosing the item closes the menu, and a form inside it would be gone before it could submit.
  const signOutForm = useRef<HTMLFormElement>(null);
  const shownAs = user.name ?? user.email;
  // Cut to one line in the desktop menu (the button's title has it whole); wrapped in the phone's
  // Menu, which has the screen's width.
  const who = (fit: "truncate" | "wrap-anywhere") => (
    <>
      <span className={`block ${fit} font-medium`}>{shownAs}</span>
      {user.name ? <span className={`block ${fit} text-xs text-zinc-600 dark:text-zinc-400`}>{user.email}</span> : null}
      <span className="block text-xs text-zinc-600 dark:text-zinc-400">{ROLE_WORDS[user.role]}</span>
    </>
  );
  return (
    <>
      {/* Below lg the account is already inside the Menu: its two ways out are listed there as they
          are, under who is signed in, rather than behind a second menu to open. */}
      <div className="flex w-full flex-col items-start gap-1 lg:hidden" data-testid="account-section">
        <p className="mb-1 min-w-0 max-w-full">
          <span className="sr-only">Signed in as </span>
          {who("wrap-anywhere")}
        </p>
        <PlainAccountControls className="contents" controlClass="py-1.5 text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white" />
      </div>
      <form ref={signOutForm} action={signOutAction} hidden />
      {/* Not modal, as the theme menu: a modal menu locks the page's scroll, and the scrollbar
          leaving would shift the page sideways. */}
      <Menu.Root modal={false}>
        <Menu.Trigger
          data-testid="signed-in-as"
          title={shownAs}
          // Hidden below lg (in the Menu), where the section above lists the same things.
          className="hidden h-8 max-w-40 min-w-0 items-center gap-1 rounded-md px-2 text-sm text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-600 lg:inline-flex dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          <span className="sr-only">Account: </span>
          <span className="min-w-0 truncate">{shownAs}</span>
          <ChevronDown className="size-4 shrink-0" />
        </Menu.Trigger>
        <Menu.Portal>
          <Menu.Content
            align="end"
            sideOffset={6}
            collisionPadding={8}
            className={`${menuPanel} z-50 max-w-[calc(100vw-1rem)] min-w-52 text-sm`}
          >
            <Menu.Label className="px-2 py-1.5" data-testid="account-menu-who">
              {who("truncate")}
            </Menu.Label>
            <Menu.Separator className="my-1 h-px bg-zinc-200 dark:bg-zinc-700" />
            <Menu.Item asChild className={itemClass}>
              <Link href="/account/security">Account security</Link>
            </Menu.Item>
            <Menu.Item className={itemClass} onSelect={() => signOutForm.current?.requestSubmit()}>
              Sign out
            </Menu.Item>
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
      {/* Without JavaScript the menu cannot open: its two ways out stay plain controls (Sign out the
          same server action, which works as a form POST without it). */}
      <noscript>
        <PlainAccountControls className="inline-flex items-center gap-3 text-sm" controlClass="underline" />
      </noscript>
    </>
  );
}

/**
 * Account security and Sign out as plain controls (Sign out the same server action, a form POST):
 * listed in the phone's Menu, and standing in for the menu where JavaScript does not run.
 */
function PlainAccountControls({ className, controlClass }: { className: string; controlClass: string }) {
  return (
    <span className={className}>
      <Link href="/account/security" className={controlClass}>
        Account security
      </Link>
      <form action={signOutAction}>
        <button type="submit" className={controlClass}>
          Sign out
        </button>
      </form>
    </span>
  );
}
