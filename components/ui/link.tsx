"use client";

import NextLink from "next/link";
import { useState, type ComponentProps } from "react";

/**
 * next/link that prefetches when someone shows intent (pointer over it, keyboard focus, a touch)
 * rather than when it scrolls into view. Portico's pages are dynamic (the header carries the
 * session), so each prefetch is a server render: on sight, the catalogue alone asked for about 20
 * of them per view, twice over. The pattern is Next's own ("Hover-triggered prefetch",
 * node_modules/next/dist/docs/01-app/02-guides/prefetching.md); `prefetch={false}` still means never.
 * Without `legacyBehavior`: Next clones a legacy child and drops these handlers, so intent would never come.
 */
export function Link({
  prefetch,
  onMouseEnter,
  onFocus,
  onTouchStart,
  ...props
}: Omit<ComponentProps<typeof NextLink>, "legacyBehavior" | "passHref">) {
  const [intent, setIntent] = useState(false);
  return (
    <NextLink
      {...props}
      prefetch={prefetch === false || !intent ? false : (prefetch ?? null)}
      onMouseEnter={(event) => {
        setIntent(true);
        onMouseEnter?.(event);
      }}
      onFocus={(event) => {
        setIntent(true);
        onFocus?.(event);
      }}
      onTouchStart={(event) => {
        setIntent(true);
        onTouchStart?.(event);
      }}
    />
  );
}
