// The officer's page at /inbox: sign in with Identity (authorization code + PKCE, public client sharinghub-web),
// alerts arriving live, a match's evidence in words, acknowledge, adjudicate, and submit a planned operation with the
// conflict answer drawn to scale. Tokens live in this tab's sessionStorage only (never localStorage).
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { Api, HubError } from './api.js';
import { h, replace, when, words } from './dom.js';
import { conflictPicture } from './picture.js';

const settings = document.body.dataset;
const pageUrl = new URL(settings.pagePath ?? '/inbox', window.location.href).href;
const users = new UserManager({
  authority: settings.authority,
  client_id: settings.clientId,
  redirect_uri: pageUrl,
  post_logout_redirect_uri: pageUrl,
  response_type: 'code',
  scope: 'openid api',
  loadUserInfo: false,
  automaticSilentRenew: false,
  monitorSession: false,
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

const CURSOR_KEY = 'sharinghub.inbox.cursor';

const MATCH_FIELDS = `
fragment MatchFields on Match {
  id kind score band open createdAt updatedAt
  explanation { field level weight text }
  own { id kind localId role operation { latitude longitude radiusMeters startsAt endsAt address } }
  counterpart { release sensitivity kind agency { code name } contact { name channel } fields { name value } }
  adjudication { verdict suppressed }
}`;

const ALERT_FIELDS = `
fragment AlertFields on Alert {
  id kind status raisedAt acknowledgedAt summary
  contact { name channel }
  relatesTo { id kind summary }
  match { ...MatchFields }
}`;

const state = {
  api: null,
  me: null,
  hasAlerts: false,
  alerts: new Map(),
  matches: new Map(),
  showAcknowledged: true,
  open: new Set(),
  stopLive: null,
};

const content = document.getElementById('content');
const session = document.getElementById('session');
const announcer = document.getElementById('announcer');

main().catch((error) => showProblem(error));

async function main() {
  const query = new URLSearchParams(window.location.search);
  if (query.has('error')) {
    window.history.replaceState(null, '', pageUrl);
    showSignedOut(`Sign-in did not complete: ${query.get('error_description') ?? query.get('error')}.`);
    return;
  }
  if (query.has('code') && query.has('state')) {
    try {
      await users.signinRedirectCallback();
    } finally {
      window.history.replaceState(null, '', pageUrl);
    }
  }
  const user = await users.getUser();
  if (!user || user.expired) {
    showSignedOut(user ? 'Your sign-in has expired. Sign in again to see your alerts.' : null);
    return;
  }
  state.api = new Api(async () => {
    const current = await users.getUser();
    if (!current || current.expired) {
      throw new HubError('Your sign-in has expired. Sign in again.', 'UNAUTHENTICATED');
    }
    return current.access_token;
  });
  await showSignedIn();
}

function showSignedOut(message) {
  replace(session);
  replace(content,
    h('section', { class: 'panel', 'aria-labelledby': 'signin-title' },
      h('h2', { id: 'signin-title' }, 'Sign in'),
      message ? h('p', { class: 'problem', role: 'alert' }, message) : null,
      h('p', {}, 'Your alerts, matches and planned operations are shown after you sign in with your hub account ' +
        '(user name, password and the one-time code of your authenticator app) or through your agency.'),
      h('button', { type: 'button', class: 'primary', id: 'sign-in', onclick: () => users.signinRedirect() },
        'Sign in')));
}

async function showSignedIn() {
  const data = await state.api.request(`{
    me { name agencyCode roles agency { name } }
    alertType: __type(name: "Alert") { name }
  }`);
  state.me = data.me;
  state.hasAlerts = Boolean(data.alertType);
  const agencyName = state.me.agency?.name ?? state.me.agencyCode;
  replace(session,
    h('p', { class: 'who' }, 'Signed in as ', h('strong', {}, state.me.name ?? 'you'), `, ${state.me.roles.join(', ')} at ${agencyName}. `),
    h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out'));

  replace(content,
    h('p', { id: 'live', class: 'live', role: 'status' }, 'Connecting to live alerts…'),
    state.hasAlerts ? alertsSection() : null,
    matchesSection(),
    operationSection());

  await Promise.all([state.hasAlerts ? loadAlerts() : null, loadMatches()]);
  startLive();
}

async function signOut() {
  state.stopLive?.();
  const user = await users.getUser();
  sessionStorage.removeItem(CURSOR_KEY);
  await users.removeUser();
  // Identity's end-session endpoint ends its own session too, then comes back here.
  await users.signoutRedirect({ id_token_hint: user?.id_token });
}

// ------------------------------------------------------------------ alerts

function alertsSection() {
  return h('section', { class: 'panel', 'aria-labelledby': 'alerts-title' },
    h('h2', { id: 'alerts-title' }, 'Alerts ', h('span', { id: 'alerts-count', class: 'count' })),
    h('p', { class: 'hint' }, 'Unacknowledged alerts come first. Acknowledge an alert once you have read it and ' +
      'taken it in hand; an alert left unacknowledged is escalated to your supervisors.'),
    h('label', { class: 'toggle' },
      h('input', {
        type: 'checkbox', id: 'show-acknowledged', checked: state.showAcknowledged,
        onchange: (e) => { state.showAcknowledged = e.target.checked; renderAlerts(); },
      }),
      ' Show acknowledged and retracted alerts'),
    h('ol', { id: 'alerts', class: 'items' }),
    h('div', { id: 'alerts-more', class: 'actions' }));
}

// Alerts come a page at a time (the API gives at most 100), newest first; "Load more alerts" reads the next page
// after the last one's cursor, so an officer with more reaches every one of them.
const ALERT_PAGE = 100;

async function loadAlerts() {
  const data = await state.api.request(`query($first: Int, $after: String) {
      alerts(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ...AlertFields } } }
    ${ALERT_FIELDS} ${MATCH_FIELDS}`, { first: ALERT_PAGE, after: state.alertCursor ?? null });
  for (const alert of data.alerts.nodes) {
    state.alerts.set(alert.id, alert);
  }
  state.alertTotal = data.alerts.totalCount;
  state.alertCursor = data.alerts.pageInfo.endCursor ?? state.alertCursor;
  state.moreAlerts = data.alerts.pageInfo.hasNextPage;
  renderAlerts();
}

async function loadMoreAlerts(button) {
  button.disabled = true;
  try {
    const before = state.alerts.size;
    await loadAlerts();
    announce(`${state.alerts.size - before} more alerts loaded: ${state.alerts.size} of ${state.alertTotal}.`);
  } catch (error) {
    button.disabled = false;
    showProblem(error);
  }
}

function newestAlertId() {
  return [...state.alerts.keys()].reduce((max, id) => (Number(id) > Number(max) ? id : max), '0');
}

function sortedAlerts() {
  const rank = { OPEN: 0, ACKNOWLEDGED: 1, RETRACTED: 2 };
  return [...state.alerts.values()]
    .filter((a) => state.showAcknowledged || a.status === 'OPEN')
    .sort((a, b) => (rank[a.status] ?? 3) - (rank[b.status] ?? 3) || Date.parse(b.raisedAt) - Date.parse(a.raisedAt));
}

function renderAlerts() {
  const list = document.getElementById('alerts');
  if (!list) {
    return;
  }
  const open = [...state.alerts.values()].filter((a) => a.status === 'OPEN').length;
  const total = Math.max(state.alertTotal ?? 0, state.alerts.size);
  replace(document.getElementById('alerts-count'), total > state.alerts.size
    ? `(${open} unacknowledged; showing ${state.alerts.size} of ${total})`
    : `(${open} unacknowledged)`);
  const alerts = sortedAlerts();
  replace(list, alerts.length ? alerts.map(alertItem) : h('li', { class: 'empty' }, 'No alerts.'));
  const more = document.getElementById('alerts-more');
  if (more) {
    replace(more, state.moreAlerts
      ? [h('p', { class: 'hint', id: 'alerts-shown' }, `Showing the newest ${state.alerts.size} of ${total} alerts.`),
        h('button', { type: 'button', id: 'load-more-alerts', 'aria-describedby': 'alerts-shown', onclick: (e) => loadMoreAlerts(e.target) },
          `Load ${Math.min(ALERT_PAGE, total - state.alerts.size)} more alerts`)]
      : null);
  }
}

function alertItem(alert) {
  const evidenceId = `alert-${alert.id}-evidence`;
  const expanded = state.open.has(evidenceId);
  const titleId = `alert-${alert.id}-title`;
  return h('li', { class: `item alert status-${alert.status.toLowerCase()}`, 'data-alert-id': alert.id, 'aria-labelledby': titleId },
    h('h3', { id: titleId },
      h('span', { class: `badge kind-${alert.kind.toLowerCase()}` }, words(alert.kind)), ' ',
      h('span', { class: 'status', 'data-status': alert.status }, statusWords(alert))),
    h('p', { class: 'summary' }, alert.summary),
    h('p', { class: 'meta' }, `Raised ${when(alert.raisedAt)}`,
      alert.relatesTo ? ` · about an earlier ${words(alert.relatesTo.kind)} alert` : '',
      alert.contact ? ` · contact: ${contactWords(alert.contact)}` : ''),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', 'aria-expanded': String(expanded), 'aria-controls': evidenceId,
        onclick: () => toggle(evidenceId, renderAlerts),
      }, expanded ? 'Hide evidence' : 'Show evidence'),
      alert.status === 'OPEN'
        ? h('button', { type: 'button', class: 'primary', onclick: (e) => acknowledge(alert, e.target) }, 'Acknowledge')
        : null),
    h('div', { id: evidenceId, class: 'evidence', hidden: !expanded },
      expanded ? (alert.match ? evidence(alert.match) : h('p', {}, 'The match itself is not released to you: the summary and the contact above say what you may know.')) : null));
}

function statusWords(alert) {
  switch (alert.status) {
    case 'OPEN': return 'Not yet acknowledged';
    case 'ACKNOWLEDGED': return `Acknowledged ${when(alert.acknowledgedAt)}`;
    case 'RETRACTED': return 'Retracted: the match no longer holds';
    default: return words(alert.status);
  }
}

async function acknowledge(alert, button) {
  button.disabled = true;
  try {
    const data = await state.api.request(`mutation($id: ID!) {
      acknowledgeAlert(input: { alertId: $id }) { alert { ...AlertFields } } } ${ALERT_FIELDS} ${MATCH_FIELDS}`, { id: alert.id });
    state.alerts.set(alert.id, data.acknowledgeAlert.alert);
    renderAlerts();
    announce(`Alert acknowledged: ${alert.summary}`);
    document.querySelector(`[data-alert-id="${CSS.escape(alert.id)}"] h3`)?.setAttribute('tabindex', '-1');
    document.querySelector(`[data-alert-id="${CSS.escape(alert.id)}"] h3`)?.focus();
  } catch (error) {
    button.disabled = false;
    showProblem(error);
  }
}

// ------------------------------------------------------------------ matches

function matchesSection() {
  return h('section', { class: 'panel', 'aria-labelledby': 'matches-title' },
    h('h2', { id: 'matches-title' }, 'Open matches ', h('span', { id: 'matches-count', class: 'count' })),
    h('p', { class: 'hint' }, 'Where another agency works the same person, phone, place or operation as yours.'),
    h('ol', { id: 'matches', class: 'items' }));
}

async function loadMatches() {
  const data = await state.api.request(`query { matches(open: true, first: 50) { totalCount nodes { ...MatchFields } } }
    ${MATCH_FIELDS}`);
  for (const match of data.matches.nodes) {
    state.matches.set(match.id, match);
  }
  state.matchTotal = data.matches.totalCount;
  renderMatches();
}

function renderMatches() {
  const list = document.getElementById('matches');
  const matches = [...state.matches.values()].filter((m) => m.open)
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
  replace(document.getElementById('matches-count'),
    state.matchTotal > matches.length ? `(${matches.length} newest of ${state.matchTotal})` : `(${matches.length})`);
  replace(list, matches.length ? matches.map(matchItem) : h('li', { class: 'empty' }, 'No open matches.'));
}

function matchItem(match) {
  const evidenceId = `match-${match.id}-evidence`;
  const titleId = `match-${match.id}-title`;
  const expanded = state.open.has(evidenceId);
  return h('li', { class: 'item match', 'data-match-id': match.id, 'aria-labelledby': titleId },
    h('h3', { id: titleId }, h('span', { class: `badge kind-${match.kind.toLowerCase()}` }, words(match.kind)), ' ',
      matchHeadline(match)),
    h('p', { class: 'meta' }, `Found ${when(match.createdAt)}`,
      match.updatedAt !== match.createdAt ? ` · changed ${when(match.updatedAt)}` : '',
      match.adjudication ? ` · judged ${verdictWords(match.adjudication.verdict)}` : ''),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', 'aria-expanded': String(expanded), 'aria-controls': evidenceId,
        onclick: () => toggle(evidenceId, renderMatches),
      }, expanded ? 'Hide evidence' : 'Show evidence')),
    h('div', { id: evidenceId, class: 'evidence', hidden: !expanded }, expanded ? evidence(match) : null));
}

function matchHeadline(match) {
  const agency = match.counterpart.agency?.name ?? 'another agency (not named to you)';
  return `Your ${words(match.own.kind)} ${match.own.localId} and a record of ${agency}`;
}

// ------------------------------------------------------------------ evidence, adjudication

function evidence(match) {
  const counterpart = match.counterpart;
  const rows = [
    ['What matched', words(match.kind)],
    ['Your record', `${words(match.own.kind)} ${match.own.localId}${match.own.role ? ` (${words(match.own.role)})` : ''}`],
    ['Other agency', counterpart.agency?.name ?? 'not released to you'],
    ['Whom to call', counterpart.contact ? contactWords(counterpart.contact) : 'not released to you'],
    ['What you may see', releaseWords(counterpart.release)],
  ];
  if (match.band) {
    rows.push(['Strength', `${words(match.band)} (score ${match.score?.toFixed(1)} bits)`]);
  }
  const parts = [
    h('dl', { class: 'facts' }, rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
    h('h4', {}, 'Why it matched'),
    match.explanation.length
      ? h('ul', { class: 'explanation' }, match.explanation.map((line) => h('li', {}, line.text)))
      : h('p', {}, 'The other record releases no field-by-field evidence to you.'),
  ];
  if (counterpart.fields.length) {
    parts.push(h('h4', {}, 'The other record’s matched fields'),
      h('dl', { class: 'facts' }, counterpart.fields.flatMap((f) => [h('dt', {}, fieldWords(f.name)), h('dd', {}, f.value)])));
  }
  if (match.kind === 'OPERATION_CONFLICT' && match.own.operation) {
    parts.push(conflictPicture(match.own.operation, counterpart));
  }
  if (match.kind === 'PERSON_IDENTITY') {
    parts.push(adjudication(match));
  }
  return parts;
}

function adjudication(match) {
  const noteId = `match-${match.id}-note`;
  const current = match.adjudication
    ? `Judged ${verdictWords(match.adjudication.verdict)}${match.adjudication.suppressed ? ': the pair raises no alert until a matching field changes' : ''}.`
    : 'Not judged yet.';
  return h('form', {
    class: 'adjudicate', onsubmit: (e) => e.preventDefault(),
    'aria-label': `Judge whether the two records are the same person`,
  },
  h('h4', {}, 'Is it the same person?'),
  h('p', {}, current),
  h('label', { for: noteId }, 'Why (optional)'),
  h('input', { id: noteId, type: 'text', maxlength: 2000, autocomplete: 'off' }),
  h('div', { class: 'actions' },
    h('button', { type: 'button', onclick: (e) => adjudicate(match, 'SAME', noteId, e.target) }, 'Same person'),
    h('button', { type: 'button', onclick: (e) => adjudicate(match, 'NOT_SAME', noteId, e.target) }, 'Not the same person')));
}

async function adjudicate(match, verdict, noteId, button) {
  button.disabled = true;
  try {
    const note = document.getElementById(noteId)?.value || null;
    const data = await state.api.request(`mutation($id: ID!, $verdict: Verdict!, $note: String) {
      adjudicateMatch(input: { matchId: $id, verdict: $verdict, note: $note }) { match { ...MatchFields } } } ${MATCH_FIELDS}`,
    { id: match.id, verdict, note });
    updateMatch(data.adjudicateMatch.match);
    announce(`Recorded: ${verdictWords(verdict)}.`);
  } catch (error) {
    showProblem(error);
  } finally {
    button.disabled = false;
  }
}

function updateMatch(match) {
  state.matches.set(match.id, match);
  for (const alert of state.alerts.values()) {
    if (alert.match?.id === match.id) {
      alert.match = match;
    }
  }
  renderMatches();
  renderAlerts();
}

// ------------------------------------------------------------------ planned operation

function operationSection() {
  const start = new Date(Date.now() + 24 * 3600_000);
  start.setMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 2 * 3600_000);
  const field = (id, label, attributes, hint) => h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('input', { id, name: id, ...attributes, 'aria-describedby': hint ? `${id}-hint` : undefined }));
  return h('section', { class: 'panel', 'aria-labelledby': 'operation-title' },
    h('h2', { id: 'operation-title' }, 'Plan an operation'),
    h('p', { class: 'hint' }, 'Submit a planned operation to learn at once whether another agency plans one in the same place at the same time.'),
    h('form', { id: 'operation-form', onsubmit: submitOperation, novalidate: false },
      h('div', { class: 'grid' },
        field('op-local-id', 'Operation id in your system', { required: true, maxlength: 64, autocomplete: 'off' }),
        field('op-case', 'Case reference (optional)', { maxlength: 64, autocomplete: 'off' }),
        field('op-lat', 'Latitude of the centre', { required: true, type: 'number', step: 'any', min: -90, max: 90 }, 'Decimal degrees, e.g. 29.7604'),
        field('op-lon', 'Longitude of the centre', { required: true, type: 'number', step: 'any', min: -180, max: 180 }, 'Decimal degrees, e.g. -95.3698'),
        field('op-radius', 'Radius in metres', { required: true, type: 'number', min: 1, max: 100000, value: 300 }),
        field('op-address', 'Address (optional)', { maxlength: 200, autocomplete: 'off' }),
        field('op-start', 'Starts', { required: true, type: 'datetime-local', value: localInput(start) }, 'Your local time'),
        field('op-end', 'Ends', { required: true, type: 'datetime-local', value: localInput(end) }, 'Your local time'),
        field('op-contact-name', 'Officer in charge', { required: true, maxlength: 100, value: state.me?.name ?? '' }),
        field('op-contact-channel', "Officer in charge's phone or email", { required: true, maxlength: 100, autocomplete: 'off' }, 'e.g. (713) 555-0123 or name@agency.gov'),
        h('div', { class: 'field' },
          h('label', { for: 'op-sensitivity' }, 'What another agency may see'),
          h('select', { id: 'op-sensitivity' },
            h('option', { value: 'OPEN' }, 'Open: area, window, contact'),
            h('option', { value: 'AGENCY_ONLY', selected: true }, 'Agency only: agency, contact'),
            h('option', { value: 'RESTRICTED' }, 'Restricted: only the fact')))),
      h('button', { type: 'submit', class: 'primary' }, 'Submit the operation')),
    h('div', { id: 'operation-result', 'aria-live': 'polite' }));
}

async function submitOperation(event) {
  event.preventDefault();
  const form = event.target;
  if (!form.reportValidity()) {
    return;
  }
  const value = (id) => document.getElementById(id).value.trim();
  const input = {
    localId: value('op-local-id'),
    caseRef: value('op-case') || null,
    location: { lat: Number.parseFloat(value('op-lat')), lon: Number.parseFloat(value('op-lon')) },
    address: value('op-address') || null,
    radiusMeters: Number.parseFloat(value('op-radius')),
    startsAt: new Date(value('op-start')).toISOString(),
    endsAt: new Date(value('op-end')).toISOString(),
    contact: { name: value('op-contact-name'), channel: value('op-contact-channel') },
    sensitivity: value('op-sensitivity'),
  };
  const result = document.getElementById('operation-result');
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  replace(result, h('p', {}, 'Submitting…'));
  try {
    const data = await state.api.request(`mutation($input: SubmitOperationInput!) {
      submitOperation(input: $input) {
        accepted matchingComplete
        operation { id localId operation { latitude longitude radiusMeters startsAt endsAt address } }
        conflicts { ...MatchFields } } } ${MATCH_FIELDS}`, { input });
    const answer = data.submitOperation;
    const own = answer.operation.operation ?? {
      latitude: input.location.lat, longitude: input.location.lon, radiusMeters: input.radiusMeters,
      startsAt: input.startsAt, endsAt: input.endsAt,
    };
    const conflicts = answer.conflicts.filter((c) => c.kind === 'OPERATION_CONFLICT' || c.kind === 'SUBJECT_IN_OPERATION');
    const headline = answer.conflicts.length === 0
      ? (answer.matchingComplete
        ? `Operation ${answer.operation.localId} accepted: no conflict with another agency's operation.`
        : `Operation ${answer.operation.localId} accepted. Matching is still running: any conflict will reach you as an alert.`)
      : `Operation ${answer.operation.localId} accepted, but it conflicts with ${answer.conflicts.length === 1 ? 'another agency’s work' : `${answer.conflicts.length} records of other agencies`}. Call the contact before you go.`;
    replace(result,
      h('h3', { class: answer.conflicts.length ? 'conflict-headline' : 'clear-headline', tabindex: '-1', id: 'operation-answer' }, headline),
      conflicts.map((conflict) => h('article', { class: 'conflict', 'aria-label': `Conflict with ${conflict.counterpart.agency?.name ?? 'another agency'}` },
        h('p', {}, conflictWords(conflict)),
        conflict.explanation.length ? h('ul', { class: 'explanation' }, conflict.explanation.map((l) => h('li', {}, l.text))) : null,
        conflict.kind === 'OPERATION_CONFLICT' ? conflictPicture(own, conflict.counterpart) : null)));
    document.getElementById('operation-answer')?.focus();
    for (const conflict of answer.conflicts) {
      state.matches.set(conflict.id, conflict);
    }
    renderMatches();
  } catch (error) {
    replace(result, h('p', { class: 'problem', role: 'alert' }, problemWords(error)));
  } finally {
    button.disabled = false;
  }
}

function conflictWords(conflict) {
  const who = conflict.counterpart.agency?.name ?? 'Another agency (not named to you)';
  const contact = conflict.counterpart.contact ? ` Call ${contactWords(conflict.counterpart.contact)}.` : '';
  return conflict.kind === 'OPERATION_CONFLICT'
    ? `${who} plans an operation that overlaps yours in place and time.${contact}`
    : `A subject known to ${who} is placed inside your operation's area and window.${contact}`;
}

// ------------------------------------------------------------------ live

function startLive() {
  const after = sessionStorage.getItem(CURSOR_KEY);
  const status = (text, live) => {
    const element = document.getElementById('live');
    if (element) {
      element.textContent = text;
      element.dataset.live = String(live);
    }
  };
  if (state.hasAlerts) {
    state.stopLive = state.api.subscribe(`subscription($after: String) {
        alertRaised(after: $after) { cursor alert { ...AlertFields } } } ${ALERT_FIELDS} ${MATCH_FIELDS}`,
    'alertRaised', after, (event) => {
      sessionStorage.setItem(CURSOR_KEY, event.cursor);
      const isNew = !state.alerts.has(event.alert.id);
      if (isNew && state.alertTotal !== undefined && Number(event.alert.id) > Number(newestAlertId())) {
        state.alertTotal += 1;
      }
      state.alerts.set(event.alert.id, event.alert);
      if (event.alert.match) {
        state.matches.set(event.alert.match.id, event.alert.match);
        renderMatches();
      }
      renderAlerts();
      if (isNew) {
        announce(`New alert: ${event.alert.summary}`);
      }
    }, status);
  } else {
    state.stopLive = state.api.subscribe(`subscription($after: String) {
        matchEvents(after: $after) { cursor type match { ...MatchFields } } } ${MATCH_FIELDS}`,
    'matchEvents', after, (event) => {
      sessionStorage.setItem(CURSOR_KEY, event.cursor);
      const isNew = !state.matches.has(event.match.id);
      state.matches.set(event.match.id, event.match);
      renderMatches();
      if (isNew && event.match.open) {
        announce(`New match: ${matchHeadline(event.match)}`);
      }
    }, (text, live) => status(text.replace('alerts', 'matches'), live));
  }
}

// ------------------------------------------------------------------ words and helpers

function toggle(id, render) {
  if (state.open.has(id)) {
    state.open.delete(id);
  } else {
    state.open.add(id);
  }
  render();
  document.querySelector(`[aria-controls="${CSS.escape(id)}"]`)?.focus();
}

function contactWords(contact) {
  return [contact.name, contact.channel].filter(Boolean).join(', ') || 'not given';
}

function releaseWords(release) {
  switch (release) {
    case 'FULL': return 'the agency, the contact and the matched fields';
    case 'CONTACT_ONLY': return 'the agency and whom to call, nothing of the record itself';
    case 'NONE': return 'only that there is a match: the other agency decides whether to contact you';
    default: return words(release);
  }
}

function verdictWords(verdict) {
  return verdict === 'SAME' ? 'the same person' : 'not the same person';
}

function fieldWords(name) {
  const names = {
    givenName: 'Given name', surname: 'Family name', birthDate: 'Date of birth', number: 'Phone number',
    address: 'Address', latitude: 'Latitude', longitude: 'Longitude', radiusMeters: 'Radius (metres)',
    startsAt: 'Starts', endsAt: 'Ends',
  };
  return names[name] ?? name;
}

function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function announce(text) {
  announcer.textContent = '';
  announcer.textContent = text;
}

function problemWords(error) {
  if (error instanceof HubError) {
    switch (error.code) {
      case 'FORBIDDEN': return `Not allowed: ${error.message}`;
      case 'NOT_FOUND': return 'That item is not (or no longer) visible to you.';
      case 'VALIDATION': return `Please check the form: ${error.message}`;
      default: return error.message;
    }
  }
  return `Something went wrong: ${error?.message ?? error}`;
}

function showProblem(error) {
  if (error instanceof HubError && error.code === 'UNAUTHENTICATED') {
    state.stopLive?.();
    showSignedOut(error.message);
    return;
  }
  const problem = document.getElementById('problem');
  problem.textContent = problemWords(error);
  problem.hidden = false;
}
