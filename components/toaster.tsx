"use client";

import type { CSSProperties } from "react";
import { Toaster as Sonner } from "sonner";
import { useResolvedTheme } from "./theme/use-theme";

/** The one toaster (app/layout.tsx). Sonner announces each toast through an aria-live region. */
export function Toaster() {
  const theme = useResolvedTheme();
  return (
    <Sonner
      theme={theme}
      position="bottom-right"
      closeButton
      richColors
      containerAriaLabel="Notifications"
      toastOptions={{ duration: 6000 }}
      // sonner's light rich colours put success and info text below 4.5:1 on their backgrounds
      // (axe color-contrast, serious); darker shades of the same hues pass.
      style={theme === "light" ? ({ "--success-text": "hsl(140, 100%, 22%)", "--info-text": "hsl(210, 92%, 36%)" } as CSSProperties) : undefined}
    />
  );
}
