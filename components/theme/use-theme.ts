"use client";

import { useSyncExternalStore } from "react";
import { parseTheme, THEME_COOKIE, type Theme } from "./theme";

const root = () => document.documentElement;

function subscribe(onChange: () => void) {
  const observer = new MutationObserver(onChange);
  observer.observe(root(), { attributes: true, attributeFilter: ["data-theme"] });
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  media.addEventListener("change", onChange);
  return () => {
    observer.disconnect();
    media.removeEventListener("change", onChange);
  };
}

/**
 * The chosen theme (System / Light / Dark), as on <html data-theme>. `rendered` is what the server
 * rendered with, so hydration shows the same words (nothing in the header changes width after load).
 */
export function useTheme(rendered: Theme = "system"): Theme {
  return useSyncExternalStore(subscribe, () => parseTheme(root().dataset.theme), () => rendered);
}

/** What is actually shown: "system" resolved against the device's preference. */
export function useResolvedTheme(): "light" | "dark" {
  const theme = useTheme();
  const systemDark = useSyncExternalStore(
    subscribe,
    () => window.matchMedia("(prefers-color-scheme: dark)").matches,
    () => false,
  );
  return theme === "system" ? (systemDark ? "dark" : "light") : theme;
}

/** Applies a choice at once and keeps it for a year, so the next page load renders with it. */
export function setTheme(theme: Theme) {
  root().dataset.theme = theme;
  document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=${365 * 24 * 3600}; samesite=lax`;
}
