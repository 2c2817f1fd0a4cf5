// Usage: node check.mjs <issuer> <client_id> <client_secret>
// Discovery, JWKS fetch, client-credentials grant and local validation of the access token with
// panva's openid-client and jose, unmodified. Prints one JSON line on success; exits non-zero on any failure.
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [issuer, clientId, clientSecret] = process.argv.slice(2);
if (!issuer || !clientId || !clientSecret) {
  console.error('usage: node check.mjs <issuer> <client_id> <client_secret>');
  process.exit(2);
}

// Plain HTTP is allowed only for loopback test servers.
const insecure = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(issuer).hostname)
  ? [client.allowInsecureRequests] : [];

const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, { execute: insecure });
const metadata = config.serverMetadata();
if (metadata.issuer !== issuer) throw new Error(`discovery names issuer ${metadata.issuer}, expected ${issuer}`);

const jwksResponse = await fetch(metadata.jwks_uri);
if (!jwksResponse.ok) throw new Error(`JWKS fetch failed: ${jwksResponse.status}`);
const jwks = await jwksResponse.json();
if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error('the JWKS holds no key');

const tokens = await client.clientCredentialsGrant(config, { scope: 'api' });

const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(metadata.jwks_uri)), {
  issuer,
  audience: 'sharinghub-api',
  typ: 'at+jwt',
  algorithms: ['RS256'],
});

console.log(JSON.stringify({
  issuer: metadata.issuer,
  jwksKeys: jwks.keys.length,
  alg: protectedHeader.alg,
  kid: protectedHeader.kid,
  sub: payload.sub,
  agency: payload.agency,
  role: payload.role,
  aud: payload.aud,
}));
