import { Slot } from "@radix-ui/react-slot";
import type { ButtonHTMLAttributes, Ref } from "react";
import { cn } from "./cn";

/** The portal's accent as a fill with its text colour (Admin → Branding): primary buttons, and the few marks that are the brand's. */
export const accentFill = "bg-[var(--brand-accent,#4f46e5)] text-[color:var(--brand-accent-fg,#fff)]";

const variants = {
  // The portal's accent (Admin → Branding; components/brand-mark.tsx BrandStyle), #4f46e5 until one is
  // chosen. Saved accents carry white text at AA (lib/branding/contrast.ts); hover darkens it, so it
  // keeps that contrast. In dark a thin light ring keeps a dark accent (a navy) apart from the page.
  primary: `${accentFill} hover:bg-[color-mix(in_oklab,var(--brand-accent,#4f46e5)_85%,black)] disabled:bg-[color-mix(in_oklab,var(--brand-accent,#4f46e5)_60%,white)] dark:ring-1 dark:ring-inset dark:ring-white/20`,
  // Disabled (a pager at its last page, say), greyed and without the hover, so it does not look like
  // it still goes somewhere.
  secondary:
    "border border-zinc-300 bg-white text-zinc-900 hover:bg-zinc-50 disabled:border-zinc-200 disabled:text-zinc-400 disabled:hover:bg-white dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800 dark:disabled:border-zinc-800 dark:disabled:text-zinc-500 dark:disabled:hover:bg-zinc-900",
  ghost:
    "text-zinc-700 hover:bg-zinc-100 disabled:text-zinc-400 disabled:hover:bg-transparent dark:text-zinc-200 dark:hover:bg-zinc-800 dark:disabled:text-zinc-500 dark:disabled:hover:bg-transparent",
  /**
   * Only for what destroys or takes away (revoke, deny, delete, disable): the one red button. The
   * button that opens such an action's confirmation step is red too (Delete app…, Revoke, Remove), so
   * the first click already looks like what it starts; the step's way back (Cancel, Keep it) is not.
   */
  // Disabled in dark, a muted fill: red-400 (light's disabled fill) on a dark surface was brighter than the
  // enabled red-700 beside it (Archive while its step is open, beside Archive now), and hover darkened it.
  destructive:
    "bg-red-600 text-white hover:bg-red-700 disabled:bg-red-400 dark:bg-red-700 dark:hover:bg-red-600 dark:disabled:bg-red-950 dark:disabled:text-red-300 dark:disabled:hover:bg-red-950",
} as const;

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: keyof typeof variants;
  size?: "sm" | "md";
  asChild?: boolean;
  ref?: Ref<HTMLButtonElement>;
};

/**
 * Colours ease only into hover: a button enabled at hydration (Remove on API access keys) faded from
 * its disabled fill over 150 ms, white on red under 4.5:1 for about 75 ms of it, and an axe scan landing
 * then failed (e2e/polish-adversary.spec.ts).
 */
export function Button({ variant = "primary", size = "md", asChild, className, ...props }: ButtonProps) {
  const Comp = asChild ? Slot : "button";
  return (
    <Comp
      className={cn(
        "inline-flex items-center justify-center gap-2 rounded-md font-medium hover:transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:cursor-not-allowed",
        size === "sm" ? "h-8 px-3 text-sm" : "h-10 px-4 text-sm",
        variants[variant],
        className,
      )}
      {...props}
    />
  );
}
