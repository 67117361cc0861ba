import { Button, Text } from "@react-email/components";
import { EmailLayout } from "./layout";

export type RequestApprovedEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  requestUrl: string;
  /** One-time link to claim the key; arrives with the keys module. Until then the email points to the request. */
  claimUrl: string | null;
  availableFrom: string | null;
};

export function RequestApprovedEmail(p: RequestApprovedEmailProps) {
  return (
    <EmailLayout preview={`Approved: ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Your ${p.planName} request for ${p.productNames.join(", ")} (app “${p.appName}”) was approved.`}
      </Text>
      {p.availableFrom ? <Text>{`Your access starts on ${p.availableFrom}.`}</Text> : null}
      <Button
        href={p.claimUrl ?? p.requestUrl}
        style={{ backgroundColor: "#4f46e5", color: "#ffffff", padding: "12px 20px", borderRadius: 6, fontWeight: 600 }}
      >
        {p.claimUrl ? "Claim your key" : "Open the request"}
      </Button>
    </EmailLayout>
  );
}

RequestApprovedEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Standard",
  productNames: ["Payments API"],
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
  claimUrl: null,
  availableFrom: null,
} satisfies RequestApprovedEmailProps;

export type RequestDeniedEmailProps = {
  requesterName: string;
  appName: string;
  planName: string;
  productNames: string[];
  comment: string | null;
  requestUrl: string;
};

export function RequestDeniedEmail(p: RequestDeniedEmailProps) {
  return (
    <EmailLayout preview={`Not approved: ${p.productNames.join(", ")}`}>
      <Text>Hello {p.requesterName},</Text>
      <Text>
        {`Your ${p.planName} request for ${p.productNames.join(", ")} (app “${p.appName}”) was not approved.`}
      </Text>
      {p.comment ? (
        <Text style={{ borderLeft: "3px solid #d4d4d8", paddingLeft: 12, color: "#3f3f46" }}>{p.comment}</Text>
      ) : null}
      <Text>You can resubmit it from My requests once you have addressed the reason.</Text>
      <Button
        href={p.requestUrl}
        style={{ backgroundColor: "#4f46e5", color: "#ffffff", padding: "12px 20px", borderRadius: 6, fontWeight: 600 }}
      >
        Open the request
      </Button>
    </EmailLayout>
  );
}

RequestDeniedEmail.PreviewProps = {
  requesterName: "Cleo Consumer",
  appName: "Checkout service",
  planName: "Enterprise",
  productNames: ["Payments API"],
  comment: "Please tell us the expected monthly volume.",
  requestUrl: "http://localhost:3000/requests/00000000-0000-4000-8000-000000000000",
} satisfies RequestDeniedEmailProps;
