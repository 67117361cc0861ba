import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { Branded } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";

export type RequestReceivedEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  /** How many approvals it waits for; 0 when the plan approved it at once. */
  approvalsRequired: number;
  autoApproved: boolean;
  /** What an approval yields: an API key, or an OAuth client (emails queued before this prop: a key). */
  credential?: "key" | "client";
  requestUrl: string;
};

/** To the requester, when they submit: what they asked for and what happens next. */
export function RequestReceivedEmail(p: RequestReceivedEmailProps & Branded) {
  const products = p.productNames.join(", ");
  return (
    <EmailLayout brand={p.brand} greet={p.recipientName ?? p.requesterName} preview={`We received your request for ${products}`}>
      <Text>{`We received your request for ${p.planName} access to ${products} for the app “${p.appName}”.`}</Text>
      <Section>
        <Text style={{ fontWeight: 600, margin: "16px 0 4px" }}>What happens next</Text>
        {p.autoApproved ? (
          <Text>
            {p.credential === "client"
              ? "This plan approves requests at once: you will get a separate email with a one-time link to create your OAuth client, or you can create it from the request page now."
              : "This plan approves requests at once: you will get a separate email with a one-time link to claim your key, or you can generate it from the request page now."}
          </Text>
        ) : (
          <Text>
            {p.approvalsRequired > 1
              ? `It needs ${p.approvalsRequired} approvals from the products' owners. We will email you when they decide; until then you can follow it, or cancel it, from the request page.`
              : "The product's owner decides on it. We will email you when they do; until then you can follow it, or cancel it, from the request page."}
          </Text>
        )}
      </Section>
      <PrimaryButton brand={p.brand} href={p.requestUrl}>
        Open your request
      </PrimaryButton>
    </EmailLayout>
  );
}

RequestReceivedEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API", "Invoices API"],
  approvalsRequired: 1,
  autoApproved: false,
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
} satisfies RequestReceivedEmailProps;

export default RequestReceivedEmail;
