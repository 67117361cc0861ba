import { Text } from "@react-email/text";
import type { Branded } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";


type KeyEmailBase = { requesterName: string; appName: string; planName: string; productNames: string[]; requestUrl: string };

/** `keptProductNames`: when an owner revoked only their products, the ones the key still opens. */
export type KeyRevokedEmailProps = KeyEmailBase & { reason: string | null; keptProductNames?: string[] };

export function KeyRevokedEmail(p: KeyRevokedEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Access revoked: ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Access to ${p.productNames.join(", ")} for app “${p.appName}” (${p.planName}) was revoked. `}
        {p.keptProductNames?.length
          ? `Its API key no longer works for ${p.productNames.join(", ")}; it keeps working for ${p.keptProductNames.join(", ")}.`
          : "Its API key no longer works."}
      </Text>
      {p.reason ? <Text style={{ borderLeft: "3px solid #d4d4d8", paddingLeft: 12, color: "#3f3f46" }}>{p.reason}</Text> : null}
      <Text>You can resubmit the request from My requests once you have addressed the reason.</Text>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>
        Open the request
      </PrimaryButton>
    </EmailLayout>
  );
}

KeyRevokedEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API"],
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
  reason: "The app sent card numbers in query strings.",
} satisfies KeyRevokedEmailProps;

export type KeyExpiredEmailProps = KeyEmailBase & {
  expiredAt: string;
  /** The access window ended before the key was ever claimed. */
  unclaimed?: boolean;
};

export function KeyExpiredEmail(p: KeyExpiredEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Key expired: ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {p.unclaimed
          ? `The access of app “${p.appName}” to ${p.productNames.join(", ")} (${p.planName}) ended on ${p.expiredAt} before its key was claimed. The claim link no longer works.`
          : `The API key of app “${p.appName}” for ${p.productNames.join(", ")} (${p.planName}) expired on ${p.expiredAt} and no longer works.`}
      </Text>
      <Text>To keep using the API, request access again from the catalogue.</Text>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>
        Open the request
      </PrimaryButton>
    </EmailLayout>
  );
}

KeyExpiredEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Free",
  productNames: ["Weather API"],
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
  expiredAt: "25 Nov 2026, 09:00 UTC",
} satisfies KeyExpiredEmailProps;

/** `graceHours` 0: the previous key stopped at once (absent on messages queued before the choice existed). */
export type KeyRolledEmailProps = KeyEmailBase & { oldKeyStart: string; newKeyStart: string; oldKeyEndsAt: string; graceHours?: number };

export function KeyRolledEmail(p: KeyRolledEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Key rolled for ${p.appName}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`A new API key (${p.newKeyStart}…) was created for app “${p.appName}” (${p.productNames.join(", ")}). `}
        {p.graceHours === 0
          ? `The previous key (${p.oldKeyStart}…) stopped working at once (${p.oldKeyEndsAt}).`
          : `The previous key (${p.oldKeyStart}…) keeps working until ${p.oldKeyEndsAt}.`}
      </Text>
      <Text>If you did not roll this key, revoke access from the request page and tell your API owner.</Text>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>
        Open the request
      </PrimaryButton>
    </EmailLayout>
  );
}

KeyRolledEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API"],
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
  oldKeyStart: "ptk_AbCd",
  newKeyStart: "ptk_WxYz",
  oldKeyEndsAt: "26 Nov 2026, 09:00 UTC",
} satisfies KeyRolledEmailProps;

export type KeyExpiringEmailProps = KeyEmailBase & { keyStart: string; expiresAt: string };

export function KeyExpiringEmail(p: KeyExpiringEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Key expires ${p.expiresAt}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`The API key ${p.keyStart}… of app “${p.appName}” for ${p.productNames.join(", ")} (${p.planName}) expires on ${p.expiresAt}. After that, calls with it are refused.`}
      </Text>
      <Text>To keep access, request it again from the catalogue before then; the new request goes through approval.</Text>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>
        Open the request
      </PrimaryButton>
    </EmailLayout>
  );
}

KeyExpiringEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API"],
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
  keyStart: "ptk_AbCd",
  expiresAt: "2 Dec 2026, 09:00 UTC",
} satisfies KeyExpiringEmailProps;
