import { Body } from "@react-email/body";
import { Button } from "@react-email/button";
import { Container } from "@react-email/container";
import { Head } from "@react-email/head";
import { Html } from "@react-email/html";
import { Img } from "@react-email/img";
import { Preview } from "@react-email/preview";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { ReactNode } from "react";
import { DEFAULT_EMAIL_BRAND, type EmailBrand } from "./brand";

// Mail clients that follow the reader's dark theme (Apple Mail, Outlook, iOS) use these; the
// others show the light colours, which are readable on their own. The button keeps the accent
// with white text in both (AA, checked when the accent is saved).
const DARK_STYLE = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
@media (prefers-color-scheme: dark) {
  .pt-body { background-color: #18181b !important; }
  .pt-card { background-color: #27272a !important; }
  .pt-card p, .pt-card td, .pt-card li, .pt-card h1, .pt-card span { color: #e4e4e7 !important; }
  .pt-card a:not(.pt-button) { color: #c7d2fe !important; }
  .pt-muted { color: #a1a1aa !important; }
  .pt-quote { border-color: #52525b !important; }
}`;

export function EmailLayout({
  preview,
  brand = DEFAULT_EMAIL_BRAND,
  greet,
  children,
}: {
  preview: string;
  brand?: EmailBrand;
  /** Greets the recipient by name ("Hello Ada,") when it is known. */
  greet?: string | null;
  children: ReactNode;
}) {
  return (
    <Html lang="en">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <style>{DARK_STYLE}</style>
      </Head>
      <Preview>{preview}</Preview>
      <Body className="pt-body" style={{ backgroundColor: "#f4f4f5", color: "#18181b", fontFamily: "system-ui, -apple-system, Segoe UI, sans-serif", margin: 0 }}>
        <Container className="pt-card" style={{ maxWidth: 520, margin: "32px auto", backgroundColor: "#ffffff", borderRadius: 8, padding: 32 }}>
          <Section style={{ marginBottom: 16 }}>
            {brand.logoUrl ? <Img src={brand.logoUrl} alt="" height={32} style={{ display: "inline-block", height: 32, width: "auto", verticalAlign: "middle", marginRight: 8 }} /> : null}
            <Text style={{ display: "inline-block", fontSize: 18, fontWeight: 700, margin: 0, verticalAlign: "middle", color: "#18181b" }}>{brand.name}</Text>
          </Section>
          {greet ? <Text>Hello {greet},</Text> : null}
          <Section>{children}</Section>
          <Text className="pt-muted" style={{ color: "#71717a", fontSize: 12, marginTop: 32 }}>
            You received this email because of activity on your {brand.name} account.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

/** The one call to action of an email, white on the portal's accent colour. */
export function PrimaryButton({ href, brand, small, children }: { href: string; brand?: EmailBrand; small?: boolean; children: ReactNode }) {
  const accent = brand?.accent ?? DEFAULT_EMAIL_BRAND.accent;
  return (
    <Button
      href={href}
      className="pt-button"
      style={{ backgroundColor: accent, color: "#ffffff", padding: small ? "10px 16px" : "12px 20px", borderRadius: 6, fontWeight: 600 }}
    >
      {children}
    </Button>
  );
}
