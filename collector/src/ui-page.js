// The page of sessions (ui-page.html, served by ui.mjs): the last day's sessions and top pages from the collector's
// JSON, and the session picked drawn by the demo's own timeline (timeline.js). Everything from the database is
// visitor input (a page's title, its URL, a referrer): it is written as text (textContent), never parsed as HTML.
import { buildModel, clock, duration, Timeline } from './timeline.js';

const $ = (id) => document.getElementById(id);

/** Stint's default timeouts (docs/configuration.md): the collector does not know the site's own. */
const TIMEOUTS = { foregroundTimeout: 30 * 60_000, backgroundTimeout: 30 * 60_000 };

/** A table cell holding `value` as text; `none`: what an empty value reads as. */
function cell(value, { none = '', number = false } = {}) {
  const td = document.createElement('td');
  if (number) td.className = 'n';
  if (value === null || value === undefined || value === '') {
    const span = document.createElement('span');
    span.className = 'none';
    span.textContent = none;
    td.append(span);
  } else {
    td.textContent = String(value);
    td.title = String(value);
  }
  return td;
}

/** A time as the list shows it: its day and its clock. */
const when = (t) => `${new Date(t).toLocaleDateString('en', { month: 'short', day: 'numeric' })} ${clock(t)}`;

function sessionRow(s) {
  const tr = document.createElement('tr');
  tr.dataset.session = s.session_id;
  const link = document.createElement('a');
  link.href = `#${s.session_id}`;
  link.textContent = when(s.started_at);
  const started = document.createElement('td');
  started.append(link);
  tr.append(
    started,
    cell(s.duration_ms === null ? null : duration(s.duration_ms)),
    cell(s.end_reason, { none: 'open' }),
    cell(s.events, { number: true }),
    cell(s.entry_page),
    cell(s.exit_page),
    cell(s.source, { none: 'direct' }),
  );
  // (the whole row picks it; the link is what the keyboard reaches)
  tr.addEventListener('click', (e) => e.target !== link && link.click());
  return tr;
}

function pageRow(p) {
  const tr = document.createElement('tr');
  tr.append(cell(p.page), cell(p.views, { number: true }), cell(p.sessions, { number: true }));
  return tr;
}

/** The JSON of `path`, or an error saying what the collector answered. */
async function read(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${(await res.text()).trim()}`);
  return res.json();
}

const events = new Map();
const timeline = new Timeline($('timeline'), $('tl-tip'), (id) => events.get(id));

/**
 * Draws the session `id`: a lane, its bar and its events, up to now while it is open, else up to its end.
 * `data-drawn` on the body names the session drawn last (a test waits for it).
 */
async function show(id) {
  for (const tr of $('sessions').tBodies[0].rows) tr.setAttribute('aria-selected', String(tr.dataset.session === id));
  delete document.body.dataset.drawn;
  let answer;
  try {
    answer = await read(`/api/session?id=${encodeURIComponent(id)}`);
  } catch (e) {
    $('session-title').textContent = e.message;
    return;
  }
  // (another session picked meanwhile: its answer draws)
  if (id !== location.hash.slice(1)) return;
  events.clear();
  for (const event of answer.events) events.set(event.eventId, event);
  const now = Date.now();
  const lanes = buildModel(answer.events, { now, ...TIMEOUTS });
  const drawn = lanes.flatMap((lane) => lane.sessions).find((s) => s.id === answer.session.session_id);
  const live = !drawn || drawn.state === 'open';
  timeline.render(lanes, { now: live ? now : drawn.until, requests: null, live });
  const s = answer.session;
  $('session-title').textContent = `session ${s.session_id.slice(0, 8)}, started ${when(s.started_at)}`;
  document.body.dataset.drawn = id;
}

async function start() {
  let sessions;
  let pages;
  try {
    [sessions, pages] = await Promise.all([read('/api/sessions'), read('/api/pages')]);
  } catch (e) {
    $('summary').textContent = e.message;
    return;
  }
  $('sessions').tBodies[0].replaceChildren(...sessions.map(sessionRow));
  $('pages').tBodies[0].replaceChildren(...pages.map(pageRow));
  const views = sessions.reduce((n, s) => n + s.page_views, 0);
  $('summary').textContent = sessions.length
    ? `${sessions.length} session${sessions.length === 1 ? '' : 's'} · ${views} page views`
    : 'No session in the last 24 hours: point Stint at this collector, then reload.';
  document.body.dataset.sessions = String(sessions.length);
  const picked = location.hash.slice(1);
  if (picked) await show(picked);
}

addEventListener('hashchange', () => show(location.hash.slice(1)));
start();
