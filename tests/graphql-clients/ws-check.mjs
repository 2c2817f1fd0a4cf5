// Subscribes to matchEvents over graphql-transport-ws with the stock graphql-ws client, unmodified, and prints one
// JSON line per happening: {"event":"connected"}, {"event":"next","payload":{...}}, {"event":"closed","code":N,"reason":"..."}.
// Usage: node ws-check.mjs URL TOKEN|- [EVENTS] [AFTER]   (TOKEN "-": connection_init without a token)
// It exits after EVENTS next messages (default 1), or when the socket closes. AFTER: a feed cursor to start after
// (default: only what happens from now on).
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, events = '1', after] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node ws-check.mjs URL TOKEN|- [EVENTS] [AFTER]');
  process.exit(2);
}
const wanted = Number(events);
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  connectionParams: token === '-' ? {} : { Authorization: `Bearer ${token}` },
  on: {
    connected: () => print({ event: 'connected' }),
    closed: (event) => {
      print({ event: 'closed', code: event.code, reason: String(event.reason) });
      process.exit(0);
    },
  },
  onNonLazyError: () => {},
});

let received = 0;
client.subscribe(
  {
    query: `subscription($after: String) {
      matchEvents(after: $after) {
        cursor type
        match { id kind own { localId } counterpart { release agency { code } contact { name } } }
      }
    }`,
    variables: { after: after ?? null },
  },
  {
    next: (payload) => {
      print({ event: 'next', payload });
      if (++received >= wanted) {
        client.dispose();
        process.exit(0);
      }
    },
    error: (error) => {
      // A close event arrives here too; only GraphQL errors are printed as errors.
      if (Array.isArray(error)) print({ event: 'error', errors: error });
    },
    complete: () => print({ event: 'complete' }),
  },
);
