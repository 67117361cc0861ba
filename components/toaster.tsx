"use client";

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
    />
  );
}
