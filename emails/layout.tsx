import { Body, Button, Container, Head, Html, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

export function EmailLayout({ preview, children }: { preview: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: "#f4f4f5", fontFamily: "system-ui, sans-serif", margin: 0 }}>
        <Container style={{ maxWidth: 520, margin: "32px auto", backgroundColor: "#ffffff", borderRadius: 8, padding: 32 }}>
          <Text style={{ fontSize: 18, fontWeight: 700, margin: "0 0 16px" }}>Portico</Text>
          <Section>{children}</Section>
          <Text style={{ color: "#71717a", fontSize: 12, marginTop: 32 }}>
            You received this email because of activity on your Portico account.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

/** The one call to action of an email, in the portal's accent colour. */
export function PrimaryButton({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Button href={href} style={{ backgroundColor: "#4f46e5", color: "#ffffff", padding: "12px 20px", borderRadius: 6, fontWeight: 600 }}>
      {children}
    </Button>
  );
}
