import { Text } from "@react-email/text";
import type { Branded } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";

export type ExtensionApprovedEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  /** The key that keeps working: its display start only ("ptk_AbCd"), never the key. */
  keyStart: string;
  expiresAt: string;
  requestUrl: string;
};

/** An extension was approved: the same key now expires later; nothing to claim. */
export function ExtensionApprovedEmail(p: ExtensionApprovedEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand}
      preview={`Extended: your key for ${p.productNames.join(", ")} now expires on ${p.expiresAt}`}
    >
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Your extension of the ${p.planName} access to ${p.productNames.join(", ")} (app “${p.appName}”) was approved: the key ${p.keyStart}… now expires on ${p.expiresAt}.`}
      </Text>
      <Text>It is the same key: there is nothing to claim and nothing to change in your app.</Text>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>Open the request</PrimaryButton>
    </EmailLayout>
  );
}

ExtensionApprovedEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API"],
  keyStart: "ptk_AbCd",
  expiresAt: "1 Jun 2027, 12:00 UTC",
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
} satisfies ExtensionApprovedEmailProps;

export type ExtensionDeniedEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  comment: string | null;
  /** When the key still expires (unchanged), or null when it no longer works. */
  expiresAt: string | null;
  requestUrl: string;
};

/** An extension was denied: the key keeps its expiry. */
export function ExtensionDeniedEmail(p: ExtensionDeniedEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Extension denied: ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Your extension of the ${p.planName} access to ${p.productNames.join(", ")} (app “${p.appName}”) was denied.${p.expiresAt ? ` The key still expires on ${p.expiresAt}.` : ""}`}
      </Text>
      {p.comment ? (
        <Text style={{ borderLeft: "3px solid #d4d4d8", paddingLeft: 12, color: "#3f3f46" }}>
          {p.comment}
        </Text>
      ) : null}
      <Text>
        Once you have addressed the reason you can ask again from the request page, or submit a new
        request before the key expires.
      </Text>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>Open the request</PrimaryButton>
    </EmailLayout>
  );
}

ExtensionDeniedEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API"],
  comment: "This trial ends with the pilot: move to the Enterprise plan.",
  expiresAt: "1 Dec 2026, 12:00 UTC",
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
} satisfies ExtensionDeniedEmailProps;
