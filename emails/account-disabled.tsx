import { Text } from "@react-email/text";
import { type Branded, brandName } from "./brand";
import { EmailLayout } from "./layout";

type EndedRequest = { appName: string; planName: string; productNames: string[] };

export type AccountDisabledEmailProps = {
  requesterName: string;
  /** Which portal: a person may have accounts on several. */
  portalUrl: string;
  /** Pending and approved requests: cancelled, so no key can be approved or claimed. */
  cancelled: EndedRequest[];
  /** Requests whose working keys were revoked. */
  revoked: EndedRequest[];
  /** Requests whose keys the administrator chose to keep working. */
  kept: EndedRequest[];
};

const line = (r: EndedRequest) => `${r.productNames.join(", ")} for app “${r.appName}” (${r.planName})`;

/** One summary when an administrator disables an account, however many requests it ended. */
export function AccountDisabledEmail(p: AccountDisabledEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview={`Your ${brandName(p)} account was disabled`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>{`An administrator disabled your account on the ${brandName(p)} developer portal at ${p.portalUrl}: you can no longer sign in.`}</Text>
      {p.cancelled.length > 0 ? (
        <>
          <Text>{`These requests were cancelled (no key will be issued for them):`}</Text>
          {p.cancelled.map((r) => (
            <Text key={line(r)} style={{ margin: "0 0 4px 12px" }}>{`• ${line(r)}`}</Text>
          ))}
        </>
      ) : null}
      {p.revoked.length > 0 ? (
        <>
          <Text>{`Access was revoked, and the API keys no longer work, for:`}</Text>
          {p.revoked.map((r) => (
            <Text key={line(r)} style={{ margin: "0 0 4px 12px" }}>{`• ${line(r)}`}</Text>
          ))}
        </>
      ) : null}
      {p.kept.length > 0 ? (
        <>
          <Text>{`These API keys keep working until they expire or are revoked:`}</Text>
          {p.kept.map((r) => (
            <Text key={line(r)} style={{ margin: "0 0 4px 12px" }}>{`• ${line(r)}`}</Text>
          ))}
        </>
      ) : null}
      <Text>If you think this is a mistake, contact your {brandName(p)} administrator.</Text>
    </EmailLayout>
  );
}

AccountDisabledEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  portalUrl: "http://localhost:3000",
  cancelled: [{ appName: "Checkout service", planName: "Standard", productNames: ["Invoices API"] }],
  revoked: [{ appName: "Checkout service", planName: "Standard", productNames: ["Payments API"] }],
  kept: [],
} satisfies AccountDisabledEmailProps;
