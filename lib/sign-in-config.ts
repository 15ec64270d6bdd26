import { z } from 'zod';

/**
 * `account.signIn`: the organisation's OpenID Connect provider, for people's sign-in to the dashboard and
 * `slipway login` (docs/dashboard.md). Checked where it enters, each key with a message a person can act on.
 */
export const signInConfigSchema = z
  .object({
    issuer: z
      .string()
      .url()
      .regex(/^https:\/\/[^/?#\s]+(\/[^?#\s]*[^/?#\s])?$/, 'an https URL without a trailing slash, query or fragment (the ID tokens\' "iss", e.g. https://login.example.com or https://example.okta.com/oauth2/default)')
      .describe('The OpenID Connect issuer URL (the ID tokens\' `iss`; its `/.well-known/openid-configuration` must be reachable by the browser).'),
    clientId: z.string().min(1).max(255).describe('The client id of the dashboard (and `slipway login`) at the provider: a public client using the authorization code flow with PKCE. The ID tokens\' `aud`.'),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope token')).min(1).default(['openid', 'profile', 'email']).describe('Scopes the dashboard asks for; must include openid.'),
    providerArn: z
      .string()
      .regex(/^arn:[^:]+:iam::\d{12}:oidc-provider\/[^\s]+$/, 'an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<host and path of the issuer>)')
      .optional()
      .describe('ARN of an existing IAM OIDC provider for the issuer (an account holds one per URL). Absent: the stack creates it.'),
    thumbprints: z
      .array(z.string().regex(/^[0-9a-fA-F]{40}$/, 'a certificate thumbprint: 40 hexadecimal characters'))
      .max(5)
      .optional()
      .describe('Thumbprints of the issuer\'s certificate chain for the OIDC provider the stack creates. Absent: none given (IAM secures the connection with its library of trusted root CAs for providers it supports).'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.scopes.includes('openid')) ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'must include "openid" (an OpenID Connect sign-in)' });
    if (s.providerArn) {
      const host = s.issuer.replace(/^https:\/\//, '');
      if (!s.providerArn.endsWith(`:oidc-provider/${host}`)) ctx.addIssue({ code: 'custom', path: ['providerArn'], message: `must be the provider of ${s.issuer} (…:oidc-provider/${host})` });
    }
  })
  .describe('People\'s sign-in: the organisation\'s OpenID Connect provider. With it, the account stack deploys the dashboard, the people role and the actions function (docs/dashboard.md).');

export type SignInConfig = z.infer<typeof signInConfigSchema>;

/** The issuer as IAM's condition keys name it: the URL without `https://` (`login.example.com/oauth2/default:aud`). */
export function issuerKey(issuer: string): string {
  return issuer.replace(/^https:\/\//, '');
}
