import { Text } from "@react-email/text";
import type { Branded } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";

export type WebhookEndpointFailingEmailProps = {
  endpointName: string;
  url: string;
  failingSince: string;
  /** When it will be disabled (warning) or was (disabled). */
  disableAt: string;
  lastError: string;
  endpointUrl: string;
};

/** To every admin, a day before an endpoint that keeps failing is disabled. */
export function WebhookEndpointFailingEmail(p: WebhookEndpointFailingEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} greet={p.recipientName} preview={`Webhook endpoint “${p.endpointName}” is failing`}>
      <Text>{`Every delivery to the webhook endpoint “${p.endpointName}” (${p.url}) has failed since ${p.failingSince}. The last attempt: ${p.lastError}.`}</Text>
      <Text>{`If it keeps failing it will be disabled at ${p.disableAt}, and events will stop being sent to it. Fix the receiver, then check its delivery log; failed messages can be recovered from there.`}</Text>
      <PrimaryButton brand={p.brand} href={p.endpointUrl}>Open the delivery log</PrimaryButton>
    </EmailLayout>
  );
}

WebhookEndpointFailingEmail.PreviewProps = {
  endpointName: "Billing",
  url: "https://billing.example.com/portico",
  failingSince: "1 Dec 2026, 09:00 UTC",
  disableAt: "6 Dec 2026, 09:00 UTC",
  lastError: "HTTP 502",
  endpointUrl: "http://localhost:3000/admin/webhooks/0b6f",
} satisfies WebhookEndpointFailingEmailProps;

/** To every admin, when an endpoint failing for 5 days was disabled. */
export function WebhookEndpointDisabledEmail(p: WebhookEndpointFailingEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} greet={p.recipientName} preview={`Webhook endpoint “${p.endpointName}” was disabled`}>
      <Text>{`The webhook endpoint “${p.endpointName}” (${p.url}) was disabled at ${p.disableAt}: every delivery to it failed for 5 days (since ${p.failingSince}). The last attempt: ${p.lastError}.`}</Text>
      <Text>No events are sent to it now. Fix the receiver, enable the endpoint again, then use Recover in its delivery log to resend what failed.</Text>
      <PrimaryButton brand={p.brand} href={p.endpointUrl}>Open the endpoint</PrimaryButton>
    </EmailLayout>
  );
}

WebhookEndpointDisabledEmail.PreviewProps = WebhookEndpointFailingEmail.PreviewProps;
