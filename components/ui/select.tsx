import type { ComponentProps } from "react";
import { cn } from "./cn";

const DENSITY = {
  /** A form's field: as tall as Input and as wide as its column. */
  regular: "h-10 w-full px-3",
  /** A toolbar's (a table's pager, a code sample's app): 32 px high and as wide as its choices. */
  compact: "h-8 w-auto px-2",
} as const;

export type SelectProps = ComponentProps<"select"> & {
  /** Not `size`: that is the native attribute (how many rows a list box shows). */
  density?: keyof typeof DENSITY;
};

/**
 * A native select that looks like Input (same height, border, focus ring, error state). Native on
 * purpose: the phone's own picker, keyboard and form posting work without script. Pass
 * `aria-invalid` and `aria-describedby` on an error, as for Input.
 */
export function Select({ className, density = "regular", children, ...props }: SelectProps) {
  return (
    <select
      className={cn(
        "rounded-md border border-zinc-300 bg-white text-sm text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 disabled:cursor-not-allowed disabled:opacity-60 aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:scheme-dark dark:aria-[invalid=true]:border-red-400",
        DENSITY[density],
        className,
      )}
      {...props}
    >
      {children}
    </select>
  );
}
