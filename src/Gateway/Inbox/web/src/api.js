// The Gateway's GraphQL API from the page: queries and mutations over HTTP (same origin), subscriptions over the
// graphql-transport-ws WebSocket with the graphql-ws client. Every call carries the officer's access token.
import { createClient } from 'graphql-ws';

/** A GraphQL error answer, with the hub's error code (NOT_FOUND, FORBIDDEN, VALIDATION...). */
export class HubError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export class Api {
  constructor(getToken) {
    this.getToken = getToken;
    this.endpoint = new URL('/graphql', window.location.href).href;
  }

  async request(query, variables = {}) {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${await this.getToken()}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    if (response.status === 401) {
      throw new HubError('Your sign-in has expired. Sign in again.', 'UNAUTHENTICATED');
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new HubError(`The hub answered ${response.status} without a GraphQL result.`, 'HTTP');
    }
    if (body.errors?.length) {
      const first = body.errors[0];
      throw new HubError(first.message, first.extensions?.code ?? 'ERROR');
    }
    return body.data;
  }

  /**
   * Subscribes to one subscription field, resuming after the last cursor whenever the socket reconnects: the
   * variables object is re-sent on every (re)subscription, so it always carries the newest cursor.
   * onEvent(event) gets each event; onStatus(text, live) tells the connection's state in words.
   */
  subscribe(query, field, after, onEvent, onStatus) {
    const payload = { query, variables: { after: after ?? null } };
    const client = createClient({
      url: this.endpoint.replace(/^http/, 'ws'),
      lazy: false,
      keepAlive: 10_000,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 15_000)));
      },
      connectionParams: async () => ({ Authorization: `Bearer ${await this.getToken()}` }),
      on: {
        connecting: () => onStatus('Connecting to live alerts…', false),
        connected: () => onStatus('Live: new alerts appear here as they are raised.', true),
        closed: (event) => {
          const reason = event?.code === 4403 ? ' (your sign-in has expired: sign in again)' : '';
          onStatus(`Live updates interrupted${reason}; reconnecting…`, false);
        },
      },
    });
    const unsubscribe = client.subscribe(payload, {
      next: (result) => {
        if (result.errors?.length) {
          onStatus(`Live updates refused: ${result.errors[0].message}`, false);
          return;
        }
        const event = result.data?.[field];
        if (event) {
          payload.variables.after = event.cursor;
          onEvent(event);
        }
      },
      error: (error) => onStatus(`Live updates stopped: ${error?.message ?? error?.reason ?? 'connection failed'}`, false),
      complete: () => onStatus('Live updates ended.', false),
    });
    return () => {
      unsubscribe();
      client.dispose();
    };
  }
}
