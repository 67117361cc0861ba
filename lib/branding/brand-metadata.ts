import "server-only";
import type { Metadata } from "next";
import { ICON_PATH } from "./defaults";
import { getBranding } from "./get-branding";

/**
 * The root layout's metadata from the brand: titles "Page · Name", the favicon (the logo, else a
 * letter mark in the accent) at an address that changes with each save so browsers refetch it.
 * For app/layout.tsx: `export async function generateMetadata() { return brandMetadata(); }`.
 */
export async function brandMetadata(): Promise<Metadata> {
  const brand = await getBranding();
  return {
    title: { default: `${brand.name} — API catalogue`, template: `%s · ${brand.name}` },
    description: brand.headline,
    icons: { icon: [{ url: `${ICON_PATH}?v=${brand.version}` }] },
  };
}
