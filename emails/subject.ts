// Subject patterns, kept apart from the templates so the admin form can use them in the browser.

export const SUBJECT_LINE_MESSAGE = "A subject is one line: remove line breaks and invisible control characters.";

const PLACEHOLDER = /\{(\w+)\}/g;
// Values come from names people typed; whatever slipped in before names were checked, a subject
// stays one header line.
const LINE_BREAKING = /[\p{Cc}\u2028\u2029]+/gu;

/** Fills `{name}` placeholders; unknown names stay as written so a typo is visible in the preview. */
export function renderSubject(pattern: string, vars: Record<string, string>) {
  return pattern
    .replace(PLACEHOLDER, (whole, name: string) => vars[name] ?? whole)
    .replace(LINE_BREAKING, " ")
    .slice(0, 300);
}

/** The placeholders a pattern uses that the template does not offer, each once. */
export function unknownPlaceholders(pattern: string, allowed: readonly string[]): string[] {
  return [...new Set([...pattern.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ""))].filter((name) => !allowed.includes(name));
}

/** A message naming the unknown placeholders and listing the valid ones, or null when all are known. */
export function placeholderProblem(pattern: string, allowed: readonly string[]): string | null {
  const unknown = unknownPlaceholders(pattern, allowed);
  if (unknown.length === 0) return null;
  const named = unknown.map((n) => `{${n}}`).join(", ");
  return `${named} ${unknown.length === 1 ? "is not a placeholder" : "are not placeholders"} of this email. Use ${allowed.map((n) => `{${n}}`).join(", ")}.`;
}
