/**
 * Words a tag may hold that read as initials or with capitals of their own. Stored tags are lower
 * case, digits and hyphens only (lib/products/product-schema.ts), so the case they are shown in
 * comes from here, not from what the owner typed.
 */
const WORDS: Record<string, string> = {
  ai: "AI",
  api: "API",
  apis: "APIs",
  b2b: "B2B",
  b2c: "B2C",
  crm: "CRM",
  erp: "ERP",
  gdpr: "GDPR",
  graphql: "GraphQL",
  ios: "iOS",
  iot: "IoT",
  kyc: "KYC",
  ml: "ML",
  oauth: "OAuth",
  pdf: "PDF",
  rest: "REST",
  sdk: "SDK",
  sms: "SMS",
  sql: "SQL",
};

/**
 * How a catalogue tag reads on screen, wherever it shows (home categories, the catalogue's filter,
 * product cards and pages): known initials and names in their own case, and the first letter a
 * capital ("finance" → "Finance", "sms" → "SMS", "ios-sdk" → "iOS-SDK", "e-commerce" →
 * "E-commerce"). Only the display changes: links and filters keep the stored tag.
 */
export function tagLabel(tag: string) {
  const [head = "", ...rest] = tag.split("-");
  // A word with a case of its own (iOS) keeps it at the start too.
  const lead = WORDS[head] ?? head.charAt(0).toUpperCase() + head.slice(1);
  return [lead, ...rest.map((word) => WORDS[word] ?? word)].join("-");
}
