/**
 * Configuration for authenticating CDS clients (checklist §I). Validated with zod so that a
 * misconfiguration (a symmetric algorithm, a private key pasted into the JWKS, a jku over plain
 * HTTP to a remote host) stops the service at start-up instead of weakening it silently.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Asymmetric JWS algorithms only. `none` and HS* are absent on purpose: a symmetric key would have
 * to be shared with every client, and the spec forbids both (inf#201, #203).
 */
export const ASYMMETRIC_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const;
export type AllowedAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

const algorithmSchema = z.enum(ASYMMETRIC_ALGORITHMS, {
  error: (issue) =>
    `algorithm ${JSON.stringify(issue.input)} is not allowed: only asymmetric ${ASYMMETRIC_ALGORITHMS.join(', ')} (never none or HS*)`,
});

/** JWK members that only a private or symmetric key has. A trusted key set must never contain them. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const publicJwkSchema = z
  .looseObject({
    kty: z.enum(['EC', 'RSA'], { error: 'kty must be EC or RSA (symmetric "oct" keys are refused)' }),
    // The CDS Hooks header must carry `kid`, and jose only matches keys whose kid equals it.
    kid: z.string().min(1, 'kid is required on every trusted key'),
  })
  .superRefine((jwk, ctx) => {
    for (const member of PRIVATE_JWK_MEMBERS) {
      if (member in jwk) {
        ctx.addIssue({
          code: 'custom',
          path: [member],
          message: `private key material ("${member}") must not be configured: give the public key only`,
        });
      }
    }
  });

export const jwksSchema = z.object({ keys: z.array(publicJwkSchema).min(1, 'keys must not be empty') });
export type Jwks = z.infer<typeof jwksSchema>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * A jku is fetched at request time, so it must be https; plain http is tolerated only on loopback
 * (local JWKS servers in tests and dev). No query/fragment tricks: the allow-list is compared exactly.
 */
const jkuSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `jku ${JSON.stringify(value)} is not an absolute URL` });
    return;
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    ctx.addIssue({ code: 'custom', message: `jku ${JSON.stringify(value)} must use https (http only on loopback)` });
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: `jku ${JSON.stringify(value)} must not embed credentials` });
  }
});

export const issuerSchema = z
  .object({
    iss: z.string().min(1, 'iss must be a non-empty string'),
    /** Key set exchanged out of band; used when the token carries no `jku`. */
    jwks: jwksSchema.optional(),
    /** Exact jku URLs that may be fetched for this issuer. Anything else is never requested. */
    jkuAllowList: z.array(jkuSchema).optional(),
    /** When set, the token's `tenant` claim is required and must be one of these. */
    tenants: z.array(z.string().min(1)).min(1, 'tenants, when given, must not be empty').optional(),
  })
  .strict()
  .refine((i) => i.jwks !== undefined || (i.jkuAllowList !== undefined && i.jkuAllowList.length > 0), {
    message: 'each issuer needs a static jwks or a non-empty jkuAllowList, otherwise no token can ever verify',
  });
export type Issuer = z.infer<typeof issuerSchema>;

export const issuersSchema = z.array(issuerSchema).superRefine((issuers, ctx) => {
  const seen = new Set<string>();
  issuers.forEach((issuer, index) => {
    if (seen.has(issuer.iss)) {
      ctx.addIssue({ code: 'custom', path: [index, 'iss'], message: `duplicate issuer ${JSON.stringify(issuer.iss)}` });
    }
    seen.add(issuer.iss);
  });
});

/**
 * The public base URL is configured rather than derived from `Host`, so `aud` checks survive reverse
 * proxies (checklist item 76). Only a trailing slash is normalised away; anything else must match.
 */
const publicBaseUrlSchema = z
  .string()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `publicBaseUrl ${JSON.stringify(value)} is not an absolute URL` });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: 'publicBaseUrl must be http(s)' });
    }
    if (url.search || url.hash || value.includes('?') || value.includes('#')) {
      ctx.addIssue({ code: 'custom', message: 'publicBaseUrl must not have a query or fragment' });
    }
  })
  .transform((value) => value.replace(/\/$/, ''));

export const clientAuthConfigSchema = z
  .object({
    mode: z.enum(['required', 'off']).default('required'),
    /** Required when mode is 'required' (checked in parseClientAuthConfig). */
    publicBaseUrl: publicBaseUrlSchema.optional(),
    issuers: issuersSchema.default([]),
    allowedAlgorithms: z.array(algorithmSchema).min(1).default(['ES384', 'RS384']),
    clockSkewSeconds: z.number().int().min(0).max(300).default(60),
    maxTokenLifetimeSeconds: z.number().int().min(1).max(86_400).default(3600),
    /**
     * Remembered jtis per trusted issuer. When an issuer's quota is full of unexpired entries its new
     * tokens are refused (fail closed); other issuers are unaffected. Needs calls/s x (token lifetime + skew).
     */
    replayCacheMaxEntriesPerIssuer: z.number().int().min(1).default(200_000),
    /** Paths (exact, without query) that never need a token: probes for orchestrators. */
    publicPaths: z.array(z.string().startsWith('/')).default(['/healthz', '/readyz']),
  })
  .strict();

/** What callers pass (defaults optional). */
export type ClientAuthConfig = z.input<typeof clientAuthConfigSchema>;
/** After validation: defaults applied, base URL normalised. */
export type ResolvedClientAuthConfig = z.output<typeof clientAuthConfigSchema>;
/** A resolved config with authentication on, for which the audience base is known. */
export type RequiredClientAuthConfig = ResolvedClientAuthConfig & { mode: 'required'; publicBaseUrl: string };

export function isAuthRequired(cfg: ResolvedClientAuthConfig): cfg is RequiredClientAuthConfig {
  return cfg.mode === 'required' && cfg.publicBaseUrl !== undefined;
}

/** Format zod issues as `path: message` lines, so an operator can find the bad field. */
function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

export function parseClientAuthConfig(input: ClientAuthConfig): ResolvedClientAuthConfig {
  const parsed = clientAuthConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`Invalid client authentication configuration:\n${formatIssues(parsed.error)}`);
  }
  const cfg = parsed.data;
  if (cfg.mode === 'required') {
    const missing: string[] = [];
    if (cfg.publicBaseUrl === undefined) missing.push('  publicBaseUrl: required when mode is "required" (it is the expected aud)');
    if (cfg.issuers.length === 0) missing.push('  issuers: mode is "required" but no issuer is trusted');
    if (missing.length > 0) throw new Error(`Invalid client authentication configuration:\n${missing.join('\n')}`);
  }
  return cfg;
}

/** Read AUTH_ISSUERS_FILE: a JSON array of issuers. Errors name the file and the offending field. */
export function loadIssuersFile(path: string): Issuer[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read issuers file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Issuers file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = issuersSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`Invalid issuers file ${path}:\n${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** One line for the start-up log. Loud when authentication is off. */
export function describeAuth(cfg: ClientAuthConfig): string {
  if ((cfg.mode ?? 'required') === 'off') {
    return 'WARNING: CDS client authentication is OFF (AUTH_MODE=off): any caller can invoke every service; never run this way with real patient data';
  }
  const resolved = parseClientAuthConfig(cfg);
  const issuers = resolved.issuers
    .map((i) => {
      const sources = [i.jwks ? `static JWKS (${i.jwks.keys.length} key${i.jwks.keys.length === 1 ? '' : 's'})` : null,
        i.jkuAllowList && i.jkuAllowList.length > 0 ? `jku allow-list (${i.jkuAllowList.length})` : null]
        .filter((s) => s !== null)
        .join(' + ');
      return `${i.iss} [${sources}${i.tenants ? `; tenants ${i.tenants.length}` : ''}]`;
    })
    .join(', ');
  return `CDS client authentication required: audience base ${resolved.publicBaseUrl}, algorithms ${resolved.allowedAlgorithms.join('/')}, clock skew ${resolved.clockSkewSeconds}s, max token lifetime ${resolved.maxTokenLifetimeSeconds}s, trusted issuers: ${issuers}`;
}
