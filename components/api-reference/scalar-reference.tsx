"use client";

import { ApiReferenceReact } from "@scalar/api-reference-react";
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

/** An OpenAPI document given inline (`document`) or fetched from this portal (`url`, same origin). */
export type ApiReferenceSource = { document: string; url?: never } | { url: string; document?: never };

/**
 * An OpenAPI document as an interactive reference (a product's, or the portal's own API). Nothing
 * leaves the visitor's browser for Scalar's services: no telemetry, no web fonts, no hosted client.
 */
export function ScalarReference(source: ApiReferenceSource) {
  return (
    <div className="scalar-embed" data-testid="api-reference">
      <ApiReferenceReact
        configuration={{
          ...(source.url !== undefined ? { url: source.url } : { content: source.document }),
          layout: "classic",
          theme: "default",
          withDefaultFonts: false,
          telemetry: false,
          hideClientButton: true,
          hideDarkModeToggle: true,
          showDeveloperTools: "never",
          documentDownloadType: "none",
          agent: { disabled: true },
          customCss: accessibilityCss,
        }}
      />
    </div>
  );
}
