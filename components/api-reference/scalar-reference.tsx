"use client";

import { ApiReferenceReact } from "@scalar/api-reference-react";
import "@scalar/api-reference-react/style.css";

// Scalar's muted greys (#8e8e8e on white) fall below WCAG AA contrast; these pass 4.5:1 on its
// backgrounds. `:root` outranks the theme's own `.light-mode` / `.dark-mode` rules.
const contrastCss = `
:root .light-mode, :root.light-mode { --scalar-color-2: #52525b; --scalar-color-3: #5b5b63; }
:root .dark-mode, :root.dark-mode { --scalar-color-2: #d4d4d8; --scalar-color-3: #b4b4bb; }
`;

/**
 * The owner's OpenAPI document as an interactive reference. Nothing leaves the visitor's browser
 * for Scalar's services: no telemetry, no web fonts, no hosted client.
 */
export function ScalarReference({ document }: { document: string }) {
  return (
    <div className="scalar-embed" data-testid="api-reference">
      <ApiReferenceReact
        configuration={{
          content: document,
          layout: "classic",
          theme: "default",
          withDefaultFonts: false,
          telemetry: false,
          hideClientButton: true,
          hideDarkModeToggle: true,
          showDeveloperTools: "never",
          documentDownloadType: "none",
          agent: { disabled: true },
          customCss: contrastCss,
        }}
      />
    </div>
  );
}
