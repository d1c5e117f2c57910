// The demo page: the live timeline of what the collector received (Server-Sent Events from
// /api/stream), this tab's session and outbox, and the controls that act on Stint and the collector.
// Stint is loaded by the snippet in index.html; window.demoOutbox (outbox.js) watches what this tab sends.
import { buildModel, clock, duration, NIL_UUID, Timeline } from './timeline.js';

const { run, config } = window.demo;
const outbox = window.demoOutbox;
const $ = (id) => document.getElementById(id);

/** What the collector received, by event id; its last requests; its outages as this page saw them begin and end. */
const events = new Map();
let requests = [];
const outages = [];
let fault = null;
let faultUntil = 0;
/** What this browser decided (Stint applies it in every tab; the demo's tabs tell each other, to show it). */
let consent = config.consent;
const consentMarks = [];
let pageHidden = document.visibilityState === 'hidden';
let thisDevice = null;
let windowMs = null;
/**
 * This browser, in the demo's own record (Stint's withdrawal never touches this key): the demo pages tell the
 * demo server which device ids, and which anonymous sessions, they saw here, so that the timeline draws one
 * lane per browser. `browsers`: that record, from every demo page of the run.
 */
const BROWSER_KEY = 'stint-demo:browser';
const thisBrowser = localStorage.getItem(BROWSER_KEY) || Math.random().toString(36).slice(2, 10);
localStorage.setItem(BROWSER_KEY, thisBrowser);
const browsers = {};
const told = new Set();
function tellBrowser(session) {
  const key = session.userId === NIL_UUID ? `session:${session.sessionId}` : session.userId;
  if (told.has(key)) return;
  told.add(key);
  browsers[key] = thisBrowser;
  fetch(`/api/runs/${run}/browsers`, { method: 'POST', body: JSON.stringify({ key, browser: thisBrowser }) }).catch(() => told.delete(key));
}

const timeline = new Timeline($('timeline'), $('tl-tip'), (id) => events.get(id));

// ---- Stint ------------------------------------------------------------------------------------------

/** The loaded tag replaces the snippet's queue (which has `q`). */
const loaded = () => typeof window.stint === 'function' && !window.stint.q;

const NAMES = { page: 'page_view', identify: 'identify' };
/** Calls Stint as the page would; an event id it returns is followed in the outbox. */
function act(method, ...args) {
  const answer = window.stint(method, ...args);
  if (typeof answer === 'string') outbox.tracked(answer, NAMES[method] || args[0]);
  schedule();
  return answer;
}

// ---- the collector's stream --------------------------------------------------------------------------

function connect() {
  const source = new EventSource(`/api/stream?run=${encodeURIComponent(run)}`);
  const status = (text, state) => {
    $('stream-status').textContent = text;
    $('stream-status').dataset.state = state;
  };
  // The backlog comes again after a reconnection: the requests are replaced, the events merged by id.
  source.onopen = () => (requests = []);
  source.addEventListener('stint', (m) => {
    const event = JSON.parse(m.data);
    events.set(event.eventId, event);
    outbox.arrived(event.eventId);
    schedule();
  });
  source.addEventListener('request', (m) => {
    requests.push(JSON.parse(m.data));
    if (requests.length > 500) requests = requests.slice(-500);
    schedule();
  });
  source.addEventListener('fault', (m) => setFault(JSON.parse(m.data)));
  source.addEventListener('browser', (m) => {
    const { key, browser } = JSON.parse(m.data);
    browsers[key] = browser;
    schedule();
  });
  source.addEventListener('clear', () => {
    events.clear();
    requests = [];
    schedule();
  });
  source.addEventListener('ready', () => {
    status('live', 'live');
    document.body.dataset.stream = 'live';
    schedule();
  });
  source.onerror = () => status(source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…', 'down');
}

function setFault(state) {
  const now = Date.now();
  const open = outages.at(-1)?.to === null ? outages.at(-1) : null;
  if (state && !open) outages.push({ from: now, to: null, status: state.status });
  if (!state && open) open.to = now;
  fault = state;
  faultUntil = state?.ms ? now + state.ms : 0;
  schedule();
}

// ---- drawing -----------------------------------------------------------------------------------------

/**
 * The picture is complete: `data-drawn` on the body says how many of the collector's events the last render drew
 * (a test waits for it to equal what the collector has, then reads the picture at once); it goes while a render
 * is scheduled.
 */
let scheduled = false;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  delete document.body.dataset.drawn;
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

function render() {
  const now = Date.now();
  const session = loaded() ? window.stint('getSession') : null;
  if (session) {
    thisDevice = session.userId;
    tellBrowser(session);
  }
  const lanes = buildModel([...events.values()], { now, foregroundTimeout: config.foregroundTimeout, backgroundTimeout: config.backgroundTimeout, browsers });
  timeline.render(lanes, { now, thisDevice, thisBrowser, consent, requests, outages, consentMarks, window: windowMs });
  const devices = new Set(lanes.flatMap((l) => l.devices)).size;
  $('summary').textContent = `${events.size} events · ${lanes.length} lane${lanes.length === 1 ? '' : 's'} · ${devices} device id${devices === 1 ? '' : 's'} · ${lanes.reduce((n, l) => n + l.sessions.length, 0)} sessions`;
  renderTab(now, session);
  renderOutbox();
  renderCollector(now);
  document.body.dataset.drawn = String(events.size);
}

/**
 * When the current session expires: its last activity (the newest of its events this page knows: arrived,
 * or still in this tab's outbox) plus the timeout of the site's state since (the last application_background
 * or application_foreground), as the session rules judge it.
 */
function expiry(session) {
  const known = [];
  for (const e of events.values()) {
    if (e.session?.sessionId === session.sessionId && e.name !== 'session_end') known.push({ name: e.name, at: Date.parse(e.timestamp) });
  }
  for (const entry of outbox.entries()) if (entry.sessionId === session.sessionId || entry.sessionId === null) known.push(entry);
  if (!known.length) return null;
  known.sort((a, b) => a.at - b.at);
  const change = known.filter((k) => /^application_(background|foreground)$/.test(k.name)).at(-1);
  const background = change ? change.name === 'application_background' : pageHidden;
  const timeout = background ? config.backgroundTimeout : config.foregroundTimeout;
  return { at: known.at(-1).at + timeout, background, timeout };
}

function renderTab(now, session) {
  $('s-device').textContent = !thisDevice ? '…' : thisDevice === NIL_UUID ? 'anonymous (no device id)' : thisDevice.slice(0, 8);
  $('s-session').textContent = session ? `${session.sessionIndex} · ${session.sessionId.slice(0, 8)} · event ${session.eventIndex}` : loaded() ? 'none live' : 'loading…';
  $('s-storage').textContent = session ? session.storageMechanism : '—';
  $('s-consent').textContent = consent === 'denied' ? 'denied: anonymous events' : consent;
  $('s-consent').dataset.state = consent;
  $('s-page').textContent = pageHidden ? 'hidden (background)' : 'visible (foreground)';
  const expires = session && expiry(session);
  const left = expires ? expires.at - now : 0;
  const countdown = $('s-expiry');
  if (!session) countdown.textContent = loaded() ? 'no live session: the next event starts one' : '…';
  else if (!expires) countdown.textContent = 'starts with the next event';
  else if (left <= 0) countdown.textContent = 'now: the next event starts a new session';
  else {
    const s = Math.ceil(left / 1000);
    countdown.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} (${duration(expires.timeout)} idle, ${expires.background ? 'background' : 'foreground'})`;
  }
  countdown.dataset.left = String(Math.max(0, Math.ceil(left / 1000)));
}

function renderOutbox() {
  const counts = outbox.counts();
  for (const key of Object.keys(counts)) $(`o-${key}`).textContent = counts[key];
  $('outbox').dataset.busy = String(counts.pending + counts.inflight + counts.retrying + counts.beaconed > 0);
  const retrying = outbox.entries().filter((e) => e.state === 'retrying');
  $('o-note').textContent = retrying.length
    ? `${retrying.length} waiting for a retry after HTTP ${retrying[0].status || 'network error'} (${Math.max(...retrying.map((e) => e.tries))} tries so far); Stint backs off from 1 s, doubling`
    : '';
  $('o-requests').replaceChildren(
    ...outbox.requests().map((r) => {
      const li = document.createElement('li');
      li.textContent = `${clock(r.at)}  ${r.kind}  ${r.count} event${r.count === 1 ? '' : 's'}  → ${r.status ?? '…'}`;
      li.dataset.status = String(r.status);
      return li;
    }),
  );
}

function renderCollector(now) {
  const text = !fault
    ? 'answering normally'
    : fault.ms
      ? `failing with HTTP ${fault.status} for ${Math.max(0, Math.ceil((faultUntil - now) / 1000))} s more`
      : `failing the next ${fault.count} request${fault.count === 1 ? '' : 's'} with HTTP ${fault.status}`;
  $('fault-state').textContent = text;
  $('fault-state').dataset.failing = String(!!fault);
  $('recover').disabled = !fault;
}

// ---- controls ----------------------------------------------------------------------------------------

$('track-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act('track', $('event-name').value, { view: new URLSearchParams(location.search).get('view') || 'home' });
});
for (const button of document.querySelectorAll('[data-call]')) button.addEventListener('click', () => act(button.dataset.call));
$('attr').addEventListener('click', () => act('setSessionAttribute', 'plan', 'pro'));
$('inc').addEventListener('click', () => act('incrementSessionAttribute', 'clicks'));
$('hide').addEventListener('click', () => {
  pageHidden = !pageHidden;
  act('setBackground', pageHidden);
  $('hide').textContent = pageHidden ? 'Show page (foreground)' : 'Hide page (background)';
  $('hide').setAttribute('aria-pressed', String(pageHidden));
});

const tabs = new BroadcastChannel(`stint-demo:${run}`);
function consentChanged(state) {
  consent = state;
  consentMarks.push({ at: Date.now(), state });
  schedule();
}
tabs.onmessage = (m) => consentChanged(m.data);
for (const button of document.querySelectorAll('[data-consent]')) {
  button.addEventListener('click', () => {
    act('setConsent', button.dataset.consent);
    tabs.postMessage(button.dataset.consent);
    consentChanged(button.dataset.consent);
  });
}

// The page's own views: a single-page app, so that autoPageViews records a page view for each.
const VIEWS = { home: 'Home', pricing: 'Pricing', docs: 'Docs' };
function showView() {
  const view = new URLSearchParams(location.search).get('view') || 'home';
  for (const a of document.querySelectorAll('[data-view]')) a.setAttribute('aria-current', a.dataset.view === view ? 'page' : 'false');
  document.title = `${VIEWS[view] || 'Home'} · Stint demo`;
}
for (const a of document.querySelectorAll('[data-view]')) {
  a.addEventListener('click', (e) => {
    e.preventDefault();
    history.pushState(null, '', a.href);
    showView();
  });
}
addEventListener('popstate', showView);
showView();

const FAULT_STATUS = 503;
$('fail').addEventListener('click', async () => {
  const ms = Number($('fault-ms').value);
  await fetch(`/api/runs/${run}/fault`, { method: 'POST', body: JSON.stringify({ status: FAULT_STATUS, ms }) });
});
$('recover').addEventListener('click', () => fetch(`/api/runs/${run}/fault`, { method: 'DELETE' }));

$('window').addEventListener('change', () => {
  windowMs = Number($('window').value) || null;
  schedule();
});
document.addEventListener('visibilitychange', () => {
  pageHidden = document.visibilityState === 'hidden';
  schedule();
});
outbox.subscribe(schedule);

// The raw events of this run.
$('raw-events').href = `/events.html?run=${encodeURIComponent(run)}`;

connect();
render();
// The time axis and the countdown move on their own.
setInterval(schedule, 1000);
