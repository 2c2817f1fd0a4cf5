// Usage: node audit.mjs <graphql-url> <bearer-token>
// Runs graphql-http's server audits (the GraphQL-over-HTTP specification's checks), unmodified, against the URL,
// with the token on every request. Prints one JSON line per audit ({id, name, status, reason}), then a summary
// line; exits 1 when a MUST audit fails, 2 on bad usage.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node audit.mjs <graphql-url> <bearer-token>');
  process.exit(2);
}

const fetchWithToken = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn: fetchWithToken });
const counts = { MUST: { ok: 0, failed: 0 }, SHOULD: { ok: 0, failed: 0 }, MAY: { ok: 0, failed: 0 } };
for (const result of results) {
  const level = result.name.split(' ')[0];
  const ok = result.status === 'ok';
  counts[level][ok ? 'ok' : 'failed']++;
  console.log(JSON.stringify({ id: result.id, name: result.name, status: result.status, reason: ok ? undefined : result.reason }));
}
console.log(JSON.stringify({ summary: counts }));
process.exit(counts.MUST.failed > 0 ? 1 : 0);
