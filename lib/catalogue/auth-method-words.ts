import type { AuthMethod } from "@/db/schema";

/**
 * How a product's calls are authenticated, in the catalogue's words: `label` where it stands alone
 * (a product card, a cart line: "API key") and `plural` inside a sentence ("Identity API uses OAuth
 * 2.0, but the products in your cart use API keys"). One place for both, so the cart's refusal and
 * the pages it refers to name a method alike.
 */
export const authMethodWords: Record<AuthMethod, { label: string; plural: string }> = {
  api_key: { label: "API key", plural: "API keys" },
  oauth2: { label: "OAuth 2.0", plural: "OAuth 2.0" },
};
