import type { AuthMethod } from "@/db/schema";
import { authMethodWords } from "@/lib/catalogue/auth-method-words";

/**
 * A product's authentication shown as a fact about it, with an icon, beside its tags: drawn as a
 * pill it read as one more tag, and tags are links to the catalogue filtered by them, which this is
 * not. "Authentication:" is read out but only shown where the line stands alone (`labelled`).
 */
export function AuthMethodNote({ method, labelled = false }: { method: AuthMethod; labelled?: boolean }) {
  return (
    <span className="inline-flex items-center gap-1 text-xs font-medium text-zinc-700 dark:text-zinc-300" data-testid="auth-method">
      <MethodIcon method={method} />
      <span className={labelled ? undefined : "sr-only"}>Authentication: </span>
      {authMethodWords[method].label}
    </span>
  );
}

// Heroicons' 20 px solid "key" and "shield" (MIT).
const ICON_PATHS: Record<AuthMethod, string> = {
  api_key: "M8 7a5 5 0 1 1 3.61 4.804l-1.903 1.903A1 1 0 0 1 9 14H8v1a1 1 0 0 1-1 1H6v1a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1v-2a1 1 0 0 1 .293-.707L8.196 8.39A5.002 5.002 0 0 1 8 7Zm5-3a.75.75 0 0 0 0 1.5A1.5 1.5 0 0 1 14.5 7 .75.75 0 0 0 16 7a3 3 0 0 0-3-3Z",
  oauth2: "M9.661 2.237a.531.531 0 0 1 .678 0 11.947 11.947 0 0 0 7.078 2.749.5.5 0 0 1 .479.425c.069.52.104 1.05.104 1.59 0 5.162-3.26 9.563-7.834 11.256a.48.48 0 0 1-.332 0C5.26 16.564 2 12.163 2 7c0-.538.035-1.069.104-1.589a.5.5 0 0 1 .48-.425 11.947 11.947 0 0 0 7.077-2.75Z",
};

function MethodIcon({ method }: { method: AuthMethod }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-3.5 shrink-0 text-zinc-500 dark:text-zinc-400">
      <path fillRule="evenodd" d={ICON_PATHS[method]} clipRule="evenodd" />
    </svg>
  );
}
