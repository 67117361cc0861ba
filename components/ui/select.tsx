import type { ComponentProps } from "react";
import { cn } from "./cn";

/**
 * A native select that looks like Input (same height, border, focus ring, error state). Native on
 * purpose: the phone's own picker, keyboard and form posting work without script. Pass
 * `aria-invalid` and `aria-describedby` on an error, as for Input.
 */
export function Select({ className, children, ...props }: ComponentProps<"select">) {
  return (
    <select
      className={cn(
        "h-10 w-full rounded-md border border-zinc-300 bg-white px-3 text-sm text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 disabled:cursor-not-allowed disabled:opacity-60 aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:scheme-dark dark:aria-[invalid=true]:border-red-400",
        className,
      )}
      {...props}
    >
      {children}
    </select>
  );
}
