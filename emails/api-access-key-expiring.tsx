import { Text } from "@react-email/text";
import type { Branded } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";


/** To the admin who added a portal API access key, a week before it expires. Never the token. */
export type ApiAccessKeyExpiringEmailProps = { creatorName: string; keyName: string; expiresAt: string; keyUrl: string; newKeyUrl: string };

export function ApiAccessKeyExpiringEmail(p: ApiAccessKeyExpiringEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`API access key ${p.keyName} expires ${p.expiresAt}`}>
      <Text>Hello {p.creatorName},</Text>
      <Text>{`The API access key “${p.keyName}” you added expires on ${p.expiresAt}. After that, every call with its token is refused.`}</Text>
      <Text>
        {`An expiry cannot be extended: to keep the application that uses it working, add a new key (Admin → API access keys → Add access key), give the application its token, then remove “${p.keyName}”.`}
      </Text>
      <PrimaryButton brand={p.brand} href={p.newKeyUrl}>
        Add a new key
      </PrimaryButton>
      <Text>
        <a href={p.keyUrl}>Open “{p.keyName}”</a> to see its roles and what it did.
      </Text>
    </EmailLayout>
  );
}

ApiAccessKeyExpiringEmail.PreviewProps = {
  creatorName: "Ada Admin",
  keyName: "Billing sync",
  expiresAt: "2 Dec 2026, 09:00 UTC",
  keyUrl: "http://localhost:3000/admin/api-keys/00000000-0000-4000-8000-000000000000",
  newKeyUrl: "http://localhost:3000/admin/api-keys/new",
} satisfies ApiAccessKeyExpiringEmailProps;
