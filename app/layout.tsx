import type { Viewport } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { BrandStyle } from "@/components/brand-mark";
import { SiteFooter } from "@/components/site-footer";
import { brandMetadata } from "@/lib/branding/brand-metadata";
import { SiteHeader } from "@/app/_components/site-header";
import { StepUpProvider } from "@/components/step-up/step-up-provider";
import { parseTheme, THEME_COOKIE } from "@/components/theme/theme";
import { Toaster } from "@/components/toaster";
import { headerSession } from "@/lib/session/header-session";
import { ZodJitless } from "./_components/zod-jitless";
import "./globals.css";

// Titles ("Page · Name") and the favicon follow Admin → Branding.
export const generateMetadata = brandMetadata;

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The visitor's theme is rendered into the HTML, so the first paint already has it (no flash).
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  const session = await headerSession();
  return (
    <html lang="en" data-theme={theme}>
      <body className="flex min-h-screen flex-col bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <BrandStyle />
        <ZodJitless />
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:text-zinc-900 dark:focus:bg-zinc-900 dark:focus:text-zinc-100 focus:py-2 focus:text-sm"
        >
          Skip to content
        </a>
        <SiteHeader session={session} theme={theme} />
        <main id="main" className="mx-auto w-full max-w-(--page-max) flex-1 px-4 py-8 sm:px-6 sm:py-12">
          <StepUpProvider>{children}</StepUpProvider>
        </main>
        <SiteFooter />
        <Toaster />
      </body>
    </html>
  );
}
