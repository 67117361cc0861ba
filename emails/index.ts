import type { ReactElement } from "react";
import { NewRequestEmail, type NewRequestEmailProps } from "./new-request";
import { SignInEmail, type SignInEmailProps } from "./sign-in";

type Template<P> = {
  render: (props: P) => ReactElement;
  defaultSubject: (props: P) => string;
  previewProps: P;
};

function template<P>(t: Template<P>) {
  return t;
}

/** Every email Portico sends. Bodies are code; subjects may be overridden by admins later. */
export const templates = {
  "sign-in": template<SignInEmailProps>({
    render: (p) => SignInEmail(p),
    defaultSubject: (p) => `Sign in to ${p.host}`,
    previewProps: SignInEmail.PreviewProps,
  }),
  "new-request": template<NewRequestEmailProps>({
    render: (p) => NewRequestEmail(p),
    defaultSubject: (p) => `New access request: ${p.productNames.join(", ")} (${p.planName})`,
    previewProps: NewRequestEmail.PreviewProps,
  }),
};

export type TemplateName = keyof typeof templates;
export type TemplateProps<N extends TemplateName> = Parameters<(typeof templates)[N]["render"]>[0];
export const templateNames = Object.keys(templates) as TemplateName[];
