/**
 * Where the authorization server answers, from the portal's public base URL (AUTH_URL). One function
 * for the metadata (RFC 8414), the token endpoint's own `aud` check, the product page and the claim's
 * curl, so none of them can name a different URL. Pure: the product page's client snippets import it.
 */
export function oauthEndpoints(baseUrl: string) {
  const issuer = baseUrl.replace(/\/+$/, "");
  return {
    issuer,
    tokenEndpoint: `${issuer}/oauth/token`,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    introspectionEndpoint: `${issuer}/oauth/introspect`,
    revocationEndpoint: `${issuer}/oauth/revoke`,
  };
}
