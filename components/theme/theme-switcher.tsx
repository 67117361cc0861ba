"use client";

import * as Menu from "@radix-ui/react-dropdown-menu";
import { menuItem, menuPanel } from "@/components/ui/menu";
import { THEME_LABELS, THEMES, type Theme, parseTheme } from "./theme";
import { setTheme, useTheme } from "./use-theme";

const icon = { system: "◐", light: "☀", dark: "☾" } as const;

/** System / Light / Dark in a menu (arrow keys, Enter, Escape), in the header. */
export function ThemeSwitcher({ rendered, className = "", testId = "theme-switcher" }: { rendered: Theme; className?: string; testId?: string }) {
  const theme = useTheme(rendered);
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger
        className={`${className} h-8 items-center gap-1 rounded-md px-2 text-sm text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-600 dark:text-zinc-300 dark:hover:bg-zinc-800`}
        aria-label={`Theme: ${THEME_LABELS[theme]}`}
        data-testid={testId}
      >
        <span aria-hidden="true">{icon[theme]}</span>
        <span>{THEME_LABELS[theme]}</span>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          align="end"
          sideOffset={6}
          className={`${menuPanel} z-50 min-w-36 text-sm`}
        >
          <Menu.Label className="px-2 py-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">Theme</Menu.Label>
          <Menu.RadioGroup value={theme} onValueChange={(value) => setTheme(parseTheme(value))}>
            {THEMES.map((t) => (
              <Menu.RadioItem
                key={t}
                value={t}
                className={`${menuItem} gap-2 px-2 py-1.5`}
              >
                <span aria-hidden="true" className="w-4 text-center">
                  {icon[t]}
                </span>
                <span className="flex-1">{THEME_LABELS[t]}</span>
                <Menu.ItemIndicator aria-hidden="true">✓</Menu.ItemIndicator>
              </Menu.RadioItem>
            ))}
          </Menu.RadioGroup>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
