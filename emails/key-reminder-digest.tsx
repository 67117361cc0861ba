import { Link } from "@react-email/link";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { Branded } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";


/** One key due for a reminder: its request's products, app and plan, the key's start and expiry. */
export type ReminderDigestKey = {
  productNames: string[];
  appName: string;
  planName: string;
  keyStart: string;
  expiresAt: string;
  /** Whole UTC days until the expiry day; 0 = it expires today. */
  daysLeft: number;
  rollUrl: string;
  requestUrl: string;
};

export type KeyReminderDigestEmailProps = { recipientName: string; keys: ReminderDigestKey[] };

export const daysLeftWords = (days: number) => (days <= 0 ? "expires today" : days === 1 ? "expires tomorrow" : `expires in ${days} days`);

/** "your key for Payments API" or "3 of your API keys": the subject's `{keys}`. */
export const digestSubjectKeys = (keys: readonly ReminderDigestKey[]) =>
  keys.length === 1 && keys[0] ? `your key for ${keys[0].productNames.join(", ")}` : `${keys.length} of your API keys`;

export function KeyReminderDigestEmail(p: KeyReminderDigestEmailProps & Branded) {
  const one = p.keys.length === 1;
  return (
    <EmailLayout brand={p.brand} preview={`${one ? "An API key" : `${p.keys.length} API keys`} of yours ${one ? "expires" : "expire"} soon`}>
      <Text>Hello {p.recipientName},</Text>
      <Text>
        {one
          ? "This API key of yours expires soon. After its expiry, calls with it are refused."
          : `These ${p.keys.length} API keys of yours expire soon. After its expiry, calls with a key are refused.`}
      </Text>
      {p.keys.map((k) => (
        <Section key={`${k.requestUrl} ${k.keyStart}`} style={{ borderTop: "1px solid #e4e4e7", paddingTop: 8, marginTop: 8 }}>
          <Text style={{ fontWeight: 600, margin: "8px 0 4px" }}>{`${k.productNames.join(", ")} — app “${k.appName}” (${k.planName})`}</Text>
          <Text style={{ margin: "0 0 8px" }}>{`Key ${k.keyStart}… ${daysLeftWords(k.daysLeft)}: ${k.expiresAt}.`}</Text>
          <PrimaryButton brand={p.brand} href={k.rollUrl} small>
            Roll key
          </PrimaryButton>{" "}
          <Link href={k.requestUrl} style={{ marginLeft: 12 }}>
            Extend the access
          </Link>
          <Text style={{ margin: "8px 0", color: "#52525b", fontSize: 13 }}>{`Roll key: ${k.rollUrl} · Extend: ${k.requestUrl}`}</Text>
        </Section>
      ))}
      <Text>
        Roll a key to get a new one with the same expiry (for a key that may have leaked, or to practise the switch). Extend asks for more time
        from the request page; it goes through the plan&apos;s approval and keeps the same key.
      </Text>
    </EmailLayout>
  );
}

KeyReminderDigestEmail.PreviewProps = {
  recipientName: "Cleo Consumer",
  keys: [
    {
      productNames: ["Payments API"],
      appName: "Checkout service",
      planName: "Standard",
      keyStart: "ptk_AbCd",
      expiresAt: "2 Jan 2027, 09:00 UTC",
      daysLeft: 30,
      rollUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000/roll",
      requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
    },
    {
      productNames: ["Weather API"],
      appName: "Forecast widget",
      planName: "Free",
      keyStart: "ptk_WxYz",
      expiresAt: "3 Dec 2026, 12:00 UTC",
      daysLeft: 1,
      rollUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000001/roll",
      requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000001",
    },
  ],
} satisfies KeyReminderDigestEmailProps;
