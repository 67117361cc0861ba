"use client";

import { ApiReferenceReact } from "@scalar/api-reference-react";
import "@scalar/api-reference-react/style.css";

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
        }}
      />
    </div>
  );
}
