"use client";

import { useActionState, useRef, useState } from "react";
import { useActionToast } from "@/components/toast";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useServerForm } from "@/components/use-server-form";
import { MAX_FOOTER_LINKS } from "@/lib/branding/branding-schema";
import { accentProblem, contrastRatio, formatRatio } from "@/lib/branding/contrast";
import { LOGO_MAX_BYTES } from "@/lib/branding/logo";
import type { FooterLink } from "@/lib/branding/defaults";
import { saveBrandingAction } from "./actions";

type Initial = { name: string; headline: string; accent: string; footerLinks: FooterLink[]; logoUrl: string | null };
type Logo = { mode: "keep" | "remove" } | { mode: "replace"; data: string; name: string; previewUrl: string };

const HEX = /^#[0-9a-f]{6}$/i;
let nextRowId = 0;
const row = (l: FooterLink) => ({ ...l, key: nextRowId++ });

/**
 * Admin → Branding. The preview follows every keystroke (header and a button in the accent, the
 * logo); the accent's contrast is shown as it is typed, and the server checks everything again.
 */
export function BrandingForm({ initial }: { initial: Initial }) {
  const [state, action, pending] = useActionState(saveBrandingAction, null);
  const { formRef, onSubmit, onChange, fieldErrors, fixedAll } = useServerForm(state, action);
  const [name, setName] = useState(initial.name);
  const [headline, setHeadline] = useState(initial.headline);
  const [accent, setAccent] = useState(initial.accent);
  const [links, setLinks] = useState(() => initial.footerLinks.map(row));
  const [logo, setLogo] = useState<Logo>({ mode: "keep" });
  const [logoError, setLogoError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  // Saved: a toast says so (focus stays on Save); refused: the first field to fix gets focus (useServerForm).
  useActionToast(state, { errors: true });

  const validHex = HEX.test(accent.trim());
  const liveAccentProblem = validHex ? accentProblem(accent.trim().toLowerCase()) : "Write the accent as #rrggbb, for example #4f46e5.";
  const shownAccent = validHex ? accent.trim() : "#4f46e5";
  const errors = state?.ok ? {} : fieldErrors;
  // The server's word on the accent holds for the value it judged: once the accent is edited, the
  // live contrast line below speaks instead (as it would before any save).
  const [answered, setAnswered] = useState({ state, accent });
  if (answered.state !== state) setAnswered({ state, accent });
  const accentError = accent === answered.accent ? errors.accent : undefined;
  const logoUrl = logo.mode === "replace" ? logo.previewUrl : logo.mode === "remove" ? null : initial.logoUrl;

  async function chooseFile(file: File | undefined) {
    setLogoError(null);
    if (!file) return;
    if (file.size > LOGO_MAX_BYTES) {
      setLogoError(`The logo is ${Math.ceil(file.size / 1024)} KB; the limit is 200 KB. Export it smaller.`);
      if (fileRef.current) fileRef.current.value = "";
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    const data = btoa(binary);
    const type = file.name.toLowerCase().endsWith(".svg") ? "image/svg+xml" : "image/png";
    setLogo({ mode: "replace", data, name: file.name, previewUrl: `data:${type};base64,${data}` });
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} onChange={onChange} className="grid gap-8 lg:grid-cols-[1fr_20rem]" noValidate>
      <div className="min-w-0 space-y-6">
        <Card className="space-y-4">
          <Field id="brand-name" label="Portal name" error={errors.name} hint="Shown in the header, the browser tab, the footer and email subjects.">
            <Input
              id="brand-name"
              name="name"
              value={name}
              maxLength={40}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={errors.name ? "brand-name-error" : undefined}
            />
          </Field>
          <Field id="brand-headline" label="Home-page headline" error={errors.headline} hint="The home page's main heading, e.g. “Build on our APIs”.">
            <Input
              id="brand-headline"
              name="headline"
              value={headline}
              maxLength={160}
              onChange={(e) => setHeadline(e.target.value)}
              aria-invalid={errors.headline ? true : undefined}
              aria-describedby={errors.headline ? "brand-headline-error" : undefined}
            />
          </Field>
          <Field id="brand-accent" label="Accent colour" error={accentError}>
            <div className="flex items-center gap-3">
              <input
                type="color"
                aria-label="Pick the accent colour"
                value={shownAccent}
                onChange={(e) => setAccent(e.target.value)}
                className="h-10 w-12 cursor-pointer rounded border border-zinc-300 bg-white p-1 dark:border-zinc-700 dark:bg-zinc-900"
              />
              <Input
                id="brand-accent"
                name="accent"
                value={accent}
                onChange={(e) => setAccent(e.target.value)}
                className="max-w-36 font-mono"
                spellCheck={false}
                aria-invalid={accentError || liveAccentProblem ? true : undefined}
                aria-describedby={accentError ? "brand-accent-error" : "brand-accent-contrast"}
              />
            </div>
            {!accentError ? (
              <p id="brand-accent-contrast" className={liveAccentProblem ? "text-sm text-red-600 dark:text-red-400" : "text-xs text-zinc-600 dark:text-zinc-400"}>
                {liveAccentProblem ??
                  `Contrast with white: ${formatRatio(contrastRatio(accent.trim().toLowerCase(), "#ffffff"))} (AA needs 4.5:1). Buttons use white text on it; links use it on white.`}
              </p>
            ) : null}
          </Field>
        </Card>

        <Card className="space-y-3">
          <h2 className="text-base font-semibold">Logo</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">An SVG or PNG up to 200 KB. Without a logo, the portal&rsquo;s name is its logo and the browser tab shows its first letter on the accent.</p>
          <input type="hidden" name="logo" value={logo.mode} />
          {logo.mode === "replace" ? (
            <>
              <input type="hidden" name="logoData" value={logo.data} />
              <input type="hidden" name="logoName" value={logo.name} />
            </>
          ) : null}
          <div className="flex flex-wrap items-center gap-3">
            <div className="flex h-14 min-w-14 items-center justify-center rounded-md border border-dashed border-zinc-300 bg-white px-2 dark:border-zinc-700 dark:bg-zinc-900">
              {logoUrl ? (
                <img src={logoUrl} alt="Current logo" className="h-10 w-auto max-w-40 object-contain" data-testid="logo-preview" />
              ) : (
                <span className="text-xs text-zinc-500 dark:text-zinc-400">No logo</span>
              )}
            </div>
            <label className="inline-flex h-10 cursor-pointer items-center rounded-md border border-zinc-300 bg-white px-4 text-sm font-medium text-zinc-900 hover:bg-zinc-50 focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-indigo-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800">
              {logoUrl ? "Replace logo…" : "Upload logo…"}
              <input
                ref={fileRef}
                type="file"
                accept=".svg,.png,image/svg+xml,image/png"
                data-error-key="logo"
                className="sr-only"
                aria-describedby={errors.logo || logoError ? "brand-logo-error" : undefined}
                onChange={(e) => void chooseFile(e.target.files?.[0])}
              />
            </label>
            {logoUrl ? (
              <Button
                type="button"
                variant="secondary"
                onClick={() => {
                  setLogo({ mode: initial.logoUrl ? "remove" : "keep" });
                  setLogoError(null);
                  if (fileRef.current) fileRef.current.value = "";
                }}
              >
                Remove logo
              </Button>
            ) : null}
          </div>
          {logo.mode === "remove" ? <p className="text-sm text-zinc-600 dark:text-zinc-400">The logo will be removed when you save.</p> : null}
          {logoError || errors.logo ? (
            <p id="brand-logo-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
              {logoError ?? errors.logo}
            </p>
          ) : null}
        </Card>

        <Card className="space-y-3">
          <h2 className="text-base font-semibold">Footer links</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Up to {MAX_FOOTER_LINKS} links: an https:// address or a path on this portal such as /docs/api.</p>
          {errors.footerLinks ? (
            <p role="alert" className="text-sm text-red-600 dark:text-red-400">
              {errors.footerLinks}
            </p>
          ) : null}
          <ol className="space-y-3">
            {links.map((l, i) => {
              const labelError = errors[`footerLinks.${i}.label`];
              const hrefError = errors[`footerLinks.${i}.href`];
              return (
                <li key={l.key} className="grid gap-2 sm:grid-cols-[1fr_2fr_auto] sm:items-start">
                  <Field id={`link-label-${i}`} label={`Link ${i + 1} label`} error={labelError}>
                    <Input
                      id={`link-label-${i}`}
                      name="linkLabel"
                      data-error-key={`footerLinks.${i}.label`}
                      value={l.label}
                      maxLength={40}
                      onChange={(e) => setLinks((ls) => ls.map((x) => (x.key === l.key ? { ...x, label: e.target.value } : x)))}
                      aria-invalid={labelError ? true : undefined}
                      aria-describedby={labelError ? `link-label-${i}-error` : undefined}
                    />
                  </Field>
                  <Field id={`link-href-${i}`} label={`Link ${i + 1} address`} error={hrefError}>
                    <Input
                      id={`link-href-${i}`}
                      name="linkHref"
                      data-error-key={`footerLinks.${i}.href`}
                      value={l.href}
                      inputMode="url"
                      placeholder="https://status.example.com"
                      onChange={(e) => setLinks((ls) => ls.map((x) => (x.key === l.key ? { ...x, href: e.target.value } : x)))}
                      aria-invalid={hrefError ? true : undefined}
                      aria-describedby={hrefError ? `link-href-${i}-error` : undefined}
                    />
                  </Field>
                  <Button
                    type="button"
                    variant="ghost"
                    className="sm:mt-6"
                    aria-label={`Remove link ${i + 1}${l.label ? ` (${l.label})` : ""}`}
                    onClick={() => setLinks((ls) => ls.filter((x) => x.key !== l.key))}
                  >
                    Remove
                  </Button>
                </li>
              );
            })}
          </ol>
          {links.length < MAX_FOOTER_LINKS ? (
            <Button type="button" variant="secondary" onClick={() => setLinks((ls) => [...ls, row({ label: "", href: "" })])}>
              Add a link
            </Button>
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">That is the most links the footer holds.</p>
          )}
        </Card>

        <div className="flex flex-wrap items-center gap-4">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : "Save branding"}
          </Button>
          {state && !state.ok && state.fieldErrors && !fixedAll ? (
            <p className="text-sm text-red-600 dark:text-red-400">Nothing was saved. Fix the fields marked above and save again.</p>
          ) : null}
        </div>
      </div>

      <aside aria-label="Preview" className="space-y-3 lg:sticky lg:top-6 lg:self-start">
        <h2 className="text-sm font-semibold text-zinc-700 dark:text-zinc-300">Preview (light theme)</h2>
        <div className="overflow-hidden rounded-lg border border-zinc-200 bg-white text-zinc-900 dark:border-zinc-700" data-testid="brand-preview">
          <div className="flex items-center gap-2 border-b border-zinc-200 px-4 py-3">
            {logoUrl ? (
              <img src={logoUrl} alt="" className="h-6 w-auto max-w-24 object-contain" />
            ) : null}
            <span className="truncate text-base font-bold" style={{ color: shownAccent }}>
              {name.trim() || "Portico"}
            </span>
          </div>
          <div className="space-y-3 p-4">
            <p className="text-sm text-zinc-700">{headline.trim() || "Your headline"}</p>
            <span
              className="inline-flex h-9 items-center rounded-md px-4 text-sm font-medium"
              style={{ backgroundColor: shownAccent, color: "#ffffff" }}
            >
              Request access
            </span>
            <p className="text-sm">
              <span className="underline underline-offset-2" style={{ color: shownAccent }}>
                A link in the accent
              </span>
            </p>
          </div>
        </div>
      </aside>
    </form>
  );
}
