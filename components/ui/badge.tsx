import type { ReactNode } from "react";
import { cn } from "./cn";

/** Colours for badges; a request's state picks its tone from lib/requests/status-label.ts. AA contrast in both themes. */
const tones = {
  neutral: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  indigo: "bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300",
  green: "bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300",
  amber: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  red: "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300",
  orange: "bg-orange-50 text-orange-800 dark:bg-orange-950 dark:text-orange-300",
  sky: "bg-sky-50 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  violet: "bg-violet-50 text-violet-700 dark:bg-violet-950 dark:text-violet-300",
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({
  tone = "neutral",
  children,
  className,
  title,
  ...rest
}: { tone?: BadgeTone; children: ReactNode; className?: string; title?: string } & Record<`data-${string}`, string>) {
  return (
    <span
      className={cn("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium", tones[tone], className)}
      title={title}
      {...rest}
    >
      {children}
    </span>
  );
}
