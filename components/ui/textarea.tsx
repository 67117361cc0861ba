import type { ComponentProps } from "react";
import { cn } from "./cn";

const DENSITY = {
  regular: "px-3 py-2",
  /** Tighter, for a box inside a table row or a side panel (a revoke reason). */
  compact: "px-2 py-1",
} as const;

export type TextareaProps = ComponentProps<"textarea"> & { density?: keyof typeof DENSITY };

/**
 * A multi-line text control that looks like Input. Put it inside Field; on an error pass
 * `aria-invalid` and `aria-describedby={`${id}-error`}` (Field renders that message) — the red
 * border follows aria-invalid, so what a screen reader hears and what is seen never disagree.
 */
export function Textarea({ className, density = "regular", rows = 3, ...props }: TextareaProps) {
  return (
    <textarea
      rows={rows}
      className={cn(
        "block w-full rounded-md border border-zinc-300 bg-white text-sm text-zinc-900 placeholder:text-zinc-400 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 disabled:cursor-not-allowed disabled:opacity-60 aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500 dark:aria-[invalid=true]:border-red-400",
        DENSITY[density],
        className,
      )}
      {...props}
    />
  );
}
