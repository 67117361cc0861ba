"use client";

import { ApiReferenceReact } from "@scalar/api-reference-react";
import { useEffect, useMemo, useRef } from "react";
import { useResolvedTheme } from "@/components/theme/use-theme";
import "@scalar/api-reference-react/style.css";

// Scalar's muted greys (#8e8e8e on white) fall below WCAG AA contrast; these pass 4.5:1 on its
// backgrounds. `:root` outranks the theme's own `.light-mode` / `.dark-mode` rules.
// A tag's heading is a disclosure button with the heading's copy-link button inside it (nested
// interactive controls, a serious axe violation): that inner button is not shown.
const accessibilityCss = `
:root .light-mode, :root.light-mode { --scalar-color-2: #52525b; --scalar-color-3: #5b5b63; }
:root .dark-mode, :root.dark-mode { --scalar-color-2: #d4d4d8; --scalar-color-3: #b4b4bb; }
.tag-section .section-accordion-button button { display: none; }
`;

// The portal's look: its font, indigo accent, zinc surfaces and borders, in both themes. The
// introduction's cards (server, authentication, client libraries) are stacked: three abreast in the
// product page's column, the authentication card's title was cut ("Authenticatio") and so were the
// client libraries' tabs.
const portalCss = `
:root .light-mode, :root.light-mode {
  --scalar-font: inherit; --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, monospace;
  --scalar-background-1: transparent; --scalar-background-2: #f4f4f5; --scalar-background-3: #e4e4e7;
  --scalar-border-color: #e4e4e7; --scalar-color-1: #18181b; --scalar-color-accent: #4f46e5;
  --scalar-background-accent: #eef2ff; --scalar-radius: 0.375rem; --scalar-radius-lg: 0.5rem;
}
:root .dark-mode, :root.dark-mode {
  --scalar-font: inherit; --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, monospace;
  --scalar-background-1: transparent; --scalar-background-2: #18181b; --scalar-background-3: #27272a;
  --scalar-border-color: #27272a; --scalar-color-1: #f4f4f5; --scalar-color-accent: #a5b4fc;
  --scalar-background-accent: #1e1b4b; --scalar-radius: 0.375rem; --scalar-radius-lg: 0.5rem;
}
.scalar-embed .references-rendered { padding-inline: 0; }
.scalar-embed .introduction-card-row { flex-direction: column; align-items: stretch; }
`;


/**
 * Scalar's sample secret: an empty API key's, bearer token's or client secret's box shows a base64
 * text ("QUxMIFlPVVIgQkFTRSBBUkUg…") that reads like a real credential. Any placeholder of that
 * shape in a secret's box is replaced by the snippets' own placeholder.
 */
const SAMPLE_SECRET = /^[A-Za-z0-9+/]{16,}={0,2}$/;
const KEY_PLACEHOLDER = "YOUR_API_KEY";

/** The text shown just before an input ("Name:"), without its colon; else its placeholder. */
function visibleLabel(input: HTMLElement): string {
  let node: Element | null = input;
  for (let depth = 0; node && depth < 4; depth++, node = node.parentElement) {
    for (let prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
      const text = prev.textContent?.replace(/\s*:\s*$/, "").trim();
      if (text) return text;
    }
  }
  return input.dataset.placeholder || "Value";
}

/** An OpenAPI document given inline (`document`) or fetched from this portal (`url`, same origin). */
export type ApiReferenceSource = { document: string; url?: never } | { url: string; document?: never };

/**
 * An OpenAPI document as an interactive reference (a product's, or the portal's own API). Nothing
 * leaves the visitor's browser for Scalar's services: no telemetry, no web fonts, no hosted client.
 */
export function ScalarReference(source: ApiReferenceSource) {
  const embed = useRef<HTMLDivElement>(null);
  const theme = useResolvedTheme();
  // Scalar renders a whole page: its own <main> and the document's title as an <h1>. Inside the
  // portal's page (which has its main and its h1) they become a named region and a level-3 heading,
  // so the page keeps one main landmark and one h1 for assistive technology.
  // Its one-line inputs (the API key's Name in Authentication) are comboboxes with no name and no
  // aria-expanded while closed (axe: aria-input-field-name, aria-required-attr): they get the
  // label shown beside them, and aria-expanded="false" whenever Scalar leaves it out. A secret's
  // empty box shows the snippets' placeholder, not Scalar's sample (SAMPLE_SECRET).
  useEffect(() => {
    const root = embed.current;
    if (!root) return;
    const demote = () => {
      for (const main of root.querySelectorAll("main:not([role])")) main.setAttribute("role", "region");
      for (const h1 of root.querySelectorAll("h1:not([aria-level])")) h1.setAttribute("aria-level", "3");
      for (const input of root.querySelectorAll<HTMLElement>(".code-input-lite__editor[role='combobox']:not([aria-expanded])")) {
        input.setAttribute("aria-expanded", "false");
      }
      for (const input of root.querySelectorAll<HTMLElement>(".code-input-lite__editor:not([aria-label]):not([aria-labelledby])")) {
        input.setAttribute("aria-label", visibleLabel(input));
      }
      for (const input of root.querySelectorAll<HTMLInputElement>("input.scalar-password-input[placeholder]")) {
        if (SAMPLE_SECRET.test(input.placeholder)) input.placeholder = KEY_PLACEHOLDER;
      }
      // "Show" swaps the box for an editor that carries the sample as its data-placeholder.
      for (const editor of root.querySelectorAll<HTMLElement>(".code-input-lite__editor[data-placeholder]")) {
        if (SAMPLE_SECRET.test(editor.dataset.placeholder ?? "")) editor.dataset.placeholder = KEY_PLACEHOLDER;
      }
    };
    demote();
    const observer = new MutationObserver(demote);
    observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-expanded", "aria-label", "placeholder", "data-placeholder"] });
    return () => observer.disconnect();
  }, []);
  // Scalar reads forceDarkModeState once, when it mounts (its colour mode ignores a later
  // updateConfiguration): a theme switched in the header mounts it again in the new theme, or its
  // text would stay light-mode dark on the portal's dark page. The wrapper hands every new
  // configuration object to Scalar, so it is made again only when its inputs change.
  const configuration = useMemo(
    () => ({
      ...(source.url !== undefined ? { url: source.url } : { content: source.document }),
      layout: "classic" as const,
      theme: "default" as const,
      withDefaultFonts: false,
      telemetry: false,
      hideClientButton: true,
      // One search per page, the portal's (Ctrl-K / ⌘K, components/command-palette): Scalar's own
      // answered the same keys, so both opened at once and Escape closed only the portal's.
      hideSearch: true,
      hideDarkModeToggle: true,
      showDeveloperTools: "never" as const,
      documentDownloadType: "none" as const,
      agent: { disabled: true },
      customCss: `${portalCss}${accessibilityCss}`,
      forceDarkModeState: theme,
    }),
    [source.url, source.document, theme],
  );
  return (
    <div ref={embed} className="scalar-embed" data-testid="api-reference">
      <ApiReferenceReact key={theme} configuration={configuration} />
    </div>
  );
}
