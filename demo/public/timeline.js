// The live session timeline: what the collector received, drawn as one lane per browser (the device ids a
// demo page saw in its browser, which it tells the demo server: Stint keeps no link between the device ids
// of one browser, since a withdrawal of consent erases it), else per device (the client_session userId);
// each session a bar along a shared time axis, its foreground and background as bands (a session that
// ended by a timeout lived on, idle, until then), each event a mark (name and properties on hover or keyboard
// focus), each end labelled with its reason and duration, and the session's engaged time (`engagement`).
// `buildModel` is a pure function of the events; `Timeline` draws it.

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const LIFECYCLE = /^application_/;
const time = (e) => Date.parse(e.timestamp);

/**
 * Lanes, their sessions and each session's bands, from the collector's events (each once). `browsers`: the
 * browser each device id (or anonymous session, `session:<id>`) was seen in, as the demo pages told; a lane
 * is a browser, with its device ids in the order they came (a refusal, then a grant: a new device id), or a
 * device that no demo page named. A session is `ended` once its session_end arrived, `open` while its last
 * event is within its timeout, and `idle` past it: Stint reports that end with the next event (or the next
 * start), so the collector does not know it yet.
 */
export function buildModel(events, { now, foregroundTimeout, backgroundTimeout, browsers = {} }) {
  const lanes = new Map();
  const sorted = events.slice().sort((a, b) => time(a) - time(b) || (a.session?.eventIndex ?? 0) - (b.session?.eventIndex ?? 0));
  for (const event of sorted) {
    const session = event.session;
    if (!session?.userId) continue;
    const t = time(event);
    const id = event.name === 'session_end' ? event.properties?.session_id || session.sessionId : session.sessionId;
    const anonymous = session.userId === NIL_UUID;
    const browser = browsers[anonymous ? `session:${id}` : session.userId] ?? null;
    const key = browser ? `browser:${browser}` : session.userId;
    let lane = lanes.get(key);
    if (!lane) {
      const app = event.context?.app || {};
      const os = event.context?.os || {};
      lane = {
        id: key,
        browser,
        devices: [],
        anonymous: !browser && anonymous,
        agent: [app.name && `${app.name} ${app.version || ''}`.trim(), os.name].filter(Boolean).join(' · '),
        first: t,
        sessions: new Map(),
      };
      lanes.set(key, lane);
    }
    if (!lane.devices.includes(session.userId)) lane.devices.push(session.userId);
    let s = lane.sessions.get(id);
    if (!s) {
      s = { id, device: session.userId, index: session.sessionIndex, mechanism: session.storageMechanism, start: t, last: t, events: [], end: null };
      lane.sessions.set(id, s);
    }
    s.events.push({ event, t });
    if (event.name === 'session_end') {
      const p = event.properties || {};
      s.end = { reason: p.reason, duration: p.duration_ms, count: p.event_count, engaged: p.engaged_ms, at: t };
    } else {
      // (engaged time, `engagement`: its page views' so far, until its session_end says the session's, counted once across tabs)
      if (event.name === 'page_engagement') s.engaged = (s.engaged || 0) + (event.properties?.engaged_ms || 0);
      s.start = Math.min(s.start, t);
      s.last = Math.max(s.last, t);
      s.mechanism = session.storageMechanism;
    }
  }
  const list = [...lanes.values()].sort((a, b) => a.first - b.first);
  let browserNumber = 0;
  for (const lane of list) {
    if (lane.browser) lane.number = ++browserNumber;
    lane.sessions = [...lane.sessions.values()].sort((a, b) => a.start - b.start);
    for (const s of lane.sessions) describeSession(s, now, foregroundTimeout, backgroundTimeout);
    // In a browser, another device id after a session that sent no end: consent was withdrawn (or storage cleared),
    // which ends it without a word. It is drawn up to its last event.
    lane.sessions.forEach((s, i) => {
      if (s.state !== 'ended' && lane.sessions.slice(i + 1).some((next) => next.device !== s.device)) {
        s.state = 'left';
        s.idleFrom = null;
        s.until = s.last;
      }
    });
  }
  return list;
}

/**
 * Bands and state of one session. The site is in the background from an application_background to the next
 * application_foreground; before the first of those, an event's own `context.visibility` says it. A session
 * that a timeout ended (or will end: `idle`) lived on after its last event, idle, in the state it was in,
 * until that timeout (`idleFrom` to `until`): a page hidden longer than the background timeout is a
 * background band that ends the session, not a gap.
 */
function describeSession(s, now, foregroundTimeout, backgroundTimeout) {
  let background = false;
  let decided = false;
  s.bands = [];
  for (const mark of s.events) {
    const { name, context } = mark.event;
    if (name === 'application_background' || name === 'application_foreground') {
      background = name === 'application_background';
      decided = true;
    } else if (name !== 'session_end' && !decided) background = context?.visibility === 'background';
    mark.background = background;
    const band = s.bands.at(-1);
    if (!band || band.background !== background) s.bands.push({ from: Math.max(mark.t, s.start), background });
  }
  s.background = background;
  s.idleFrom = null;
  if (s.end) {
    s.state = 'ended';
    const timeout = { background_timeout: backgroundTimeout, foreground_timeout: foregroundTimeout }[s.end.reason] ?? 0;
    if (timeout) s.idleFrom = s.last;
    s.until = Math.max(s.last + timeout, s.end.at);
  } else {
    s.expiresAt = s.last + (background ? backgroundTimeout : foregroundTimeout);
    s.state = now < s.expiresAt ? 'open' : 'idle';
    if (s.state === 'idle') s.idleFrom = s.last;
    s.until = s.state === 'open' ? now : s.expiresAt;
  }
  s.bands.forEach((band, i) => (band.to = s.bands[i + 1]?.from ?? s.until));
}

// ---- formatting -------------------------------------------------------------------------------------

const pad = (n, w = 2) => String(n).padStart(w, '0');
export const clock = (t, ms) => {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${ms ? '.' + pad(d.getMilliseconds(), 3) : ''}`;
};
export function duration(ms) {
  if (!(ms >= 0)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${pad(s % 60)} s` : `${Math.floor(m / 60)} h ${pad(m % 60)} min`;
}
const short = (id) => id.slice(0, 8);
/** A device id as a person reads it. */
const deviceName = (id) => (id === NIL_UUID ? 'anonymous' : short(id));
/** An event's page: its path and query. */
const where = (page) => {
  try {
    const url = new URL(page.url);
    return url.pathname + url.search;
  } catch {
    return page.path || '';
  }
};
const kind = (name) =>
  name === 'page_view' ? 'page' : name === 'session_end' ? 'end' : name === 'identify' ? 'identify' : LIFECYCLE.test(name) ? 'life' : 'custom';

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

// ---- drawing ----------------------------------------------------------------------------------------

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'style') Object.assign(node.style, value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
};

/** Width of the lane labels, in px (the tracks take the rest). */
const LABEL = 190;
/** Rough width of a caption character (11.5 px system-ui), to keep captions apart and inside the track. */
const CHAR = 6.2;
/** Marks closer than this (px) are moved apart, so that each can be pointed at. */
const GAP = 10;
/** Rough width of a consent flag's character (10.5 px), and the height of a line of flags. */
const FLAG_CHAR = 5.8;
const FLAG_LINE = 15;

/** Puts each [left, right] (px) on the first line where it overlaps nothing; returns the line of each. */
function stack(spans, space = 8) {
  const ends = [];
  return spans.map(([left, right]) => {
    let line = ends.findIndex((end) => end + space <= left);
    if (line < 0) line = ends.push(0) - 1;
    ends[line] = right;
    return line;
  });
}

export class Timeline {
  /** `root`: the timeline's element; `tip`: the tooltip element (role=tooltip); `eventOf(id)`: an event by its id. */
  constructor(root, tip, eventOf) {
    this.root = root;
    this.tip = tip;
    this.eventOf = eventOf;
    /** Per lane, the mark that takes the lane's tab stop (roving tabindex). */
    this.stops = new Map();
    this.hover = null;
    /** The focused mark whose tip Escape closed: it stays closed while that mark keeps the focus (across redraws). */
    this.dismissed = null;
    root.addEventListener('pointerover', (e) => {
      const mark = e.target.closest?.('.tl-mark');
      if (!mark) return;
      this.hover = mark.dataset.id;
      this.dismissed = null;
      this.showTip(mark);
    });
    const leave = () => {
      this.hover = null;
      if (!root.contains(document.activeElement) || !document.activeElement.matches('.tl-mark')) this.hideTip();
    };
    root.addEventListener('pointerout', (e) => {
      if (e.target.closest?.('.tl-mark') && !e.relatedTarget?.closest?.('.tl-mark')) leave();
    });
    // A redraw replaces the mark under the pointer. Firefox then sends the pointerout to the removed mark, which
    // never reaches root (Chromium sends it to the new one): where the pointer moves next says whether it is
    // still on a mark.
    document.addEventListener('pointermove', (e) => {
      if (this.hover && !e.target.closest?.('.tl-mark')) leave();
    });
    root.addEventListener('focusin', (e) => {
      const mark = e.target.closest?.('.tl-mark');
      if (!mark) return;
      this.stops.set(mark.dataset.lane, mark.dataset.id);
      for (const other of root.querySelectorAll(`.tl-mark[data-lane="${mark.dataset.lane}"]`)) other.tabIndex = other === mark ? 0 : -1;
      if (mark.dataset.id !== this.dismissed) this.showTip(mark);
    });
    root.addEventListener('focusout', (e) => {
      if (!e.relatedTarget?.closest?.('.tl-mark') && !this.hover) this.hideTip();
    });
    root.addEventListener('keydown', (e) => this.onKey(e));
  }

  /**
   * Draws `lanes` (buildModel) up to `now`: this browser's device id and consent state, the collector's
   * requests and outages, this browser's consent changes; `window`: only the last so many ms. stint-collector's
   * page of sessions draws one session with `requests: null` (no collector row: it knows no requests) and, for a
   * session that is over, `live: false` (the axis ends at `now`, the session's end, with no line saying "now").
   */
  render(lanes, { now, thisDevice, thisBrowser, consent, requests = [], outages = [], consentMarks = [], window: span = null, live = true }) {
    const focused = this.root.contains(document.activeElement) ? document.activeElement.dataset?.id : null;
    const visible = lanes.map((lane) => ({ ...lane, sessions: lane.sessions.filter((s) => !span || s.until >= now - span) })).filter((l) => l.sessions.length);
    // The axis: from the first thing shown to now, a little margin on both sides.
    let from = Math.min(now - 30_000, ...visible.flatMap((l) => l.sessions.map((s) => s.start)));
    if (span) from = Math.max(from, now - span);
    const last = Math.max(now, ...visible.flatMap((l) => l.sessions.map((s) => s.until)));
    const margin = Math.max(last - from, 30_000) * 0.03;
    from -= margin;
    const to = last + margin;
    const x = (t) => `${(((Math.min(Math.max(t, from), to) - from) / (to - from)) * 100).toFixed(3)}%`;
    const width = (a, b) => `${Math.max(((Math.min(b, to) - Math.max(a, from)) / (to - from)) * 100, 0.15).toFixed(3)}%`;
    const px = (t) => ((Math.min(Math.max(t, from), to) - from) / (to - from)) * trackPx;
    const trackPx = this.root.querySelector('.tl-track')?.clientWidth || Math.max(this.root.clientWidth - LABEL, 200);

    const rows = [this.axis(from, to, x, px, trackPx, now, consentMarks, live)];
    if (requests) rows.push(this.collectorRow(requests, outages, x, width, now, from));
    if (!visible.length) rows.push(el('p', { class: 'tl-empty' }, 'No events yet. Act on the right (or open this page in another tab or browser) and watch them arrive.'));
    for (const lane of visible) rows.push(this.lane(lane, { x, px, width, trackPx, thisDevice, thisBrowser, consent }));
    this.root.replaceChildren(...rows);
    this.root.dataset.from = String(from);
    this.root.dataset.to = String(to);

    if (focused) this.root.querySelector(`.tl-mark[data-id="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
    const hovered = this.hover && this.root.querySelector(`.tl-mark[data-id="${CSS.escape(this.hover)}"]`);
    if (hovered) this.showTip(hovered);
    else if (!focused) this.hideTip();
  }

  axis(from, to, x, px, trackPx, now, consentMarks, live) {
    const step = STEPS.find((s) => (to - from) / s <= 8) || STEPS.at(-1);
    const ticks = [];
    // (no tick label so close to an end that it would be cut)
    const inside = (t) => (t - from) / (to - from) > 0.03 && (t - from) / (to - from) < 0.97;
    for (let t = Math.ceil(from / step) * step; t <= to; t += step) if (inside(t)) ticks.push(el('span', { class: 'tl-tick', style: { left: x(t) } }, clock(t)));
    // A flag in the right half reads leftwards, so that it stays inside the track; flags that would overlap (a
    // refusal, then a grant) go on lines of their own, all above the ticks.
    const shown = consentMarks.filter((m) => m.at >= from);
    const spans = shown.map((m) => {
      const at = px(m.at);
      const w = `consent: ${m.state}`.length * FLAG_CHAR + 10;
      return at > trackPx / 2 ? [at - w, at] : [at, at + w];
    });
    const lines = stack(spans);
    const flags = shown.map((m, i) =>
      el(
        'span',
        {
          class: `tl-flag consent-${m.state}${spans[i][1] === px(m.at) ? ' leftwards' : ''}`,
          style: { left: x(m.at), top: `${lines[i] * FLAG_LINE}px` },
          title: `consent: ${m.state} at ${clock(m.at)}`,
        },
        `consent: ${m.state}`,
      ),
    );
    // (the ticks' line under the flags' lines)
    const height = 24 + (shown.length ? Math.max(...lines) + 1 : 0) * FLAG_LINE;
    return el(
      'div',
      { class: 'tl-row tl-axis-row', 'aria-hidden': 'true' },
      el('div', { class: 'tl-label' }, live ? el('span', { class: 'tl-now' }, `now ${clock(now)}`) : null),
      el('div', { class: 'tl-track tl-axis', style: { height: `${height}px` } }, ...ticks, ...flags, live ? el('span', { class: 'tl-nowline', style: { left: x(now) } }) : null),
    );
  }

  collectorRow(requests, outages, x, width, now, from) {
    const failed = requests.filter((r) => !(r.status >= 200 && r.status < 300)).length;
    const shown = requests.filter((r) => r.at >= from);
    return el(
      'div',
      { class: 'tl-row tl-collector', role: 'group', 'aria-label': `Collector: ${requests.length} requests, ${failed} failed` },
      el('div', { class: 'tl-label' }, el('b', {}, 'Collector'), el('small', {}, `${requests.length} requests · ${failed} failed`)),
      el(
        'div',
        { class: 'tl-track' },
        ...outages.map((o) =>
          el('span', { class: 'tl-outage', style: { left: x(o.from), width: width(o.from, o.to ?? now) }, title: `failing with HTTP ${o.status}` }, o.to ? '' : `failing: HTTP ${o.status}`),
        ),
        ...shown.map((r) =>
          el('span', {
            class: `tl-request ${r.status >= 200 && r.status < 300 ? 'ok' : 'failed'}`,
            style: { left: x(r.at) },
            title: `${clock(r.at)} · ${r.count ?? '?'} events · HTTP ${r.status}${r.fault ? ' (injected fault)' : ''}`,
          }),
        ),
      ),
    );
  }

  lane(lane, { x, px, width, trackPx, thisDevice, thisBrowser, consent }) {
    const mine = (!!lane.browser && lane.browser === thisBrowser) || lane.devices.includes(thisDevice);
    const name = lane.browser ? `Browser ${lane.number}` : lane.anonymous ? 'Anonymous' : `Device ${short(lane.id)}`;
    const label = el(
      'div',
      { class: 'tl-label' },
      el('b', {}, name),
      el('small', {}, lane.anonymous ? 'consent refused: no device id' : lane.agent || ''),
      lane.browser ? el('small', { class: 'tl-devices', title: 'its device ids, in the order they came' }, `device ${lane.devices.map(deviceName).join(' → ')}`) : null,
      mine ? el('span', { class: 'badge mine' }, 'this browser') : null,
      mine && consent ? el('span', { class: `badge consent-${consent}` }, `consent ${consent}`) : null,
    );
    const track = el('div', { class: 'tl-track' });
    const captions = [];
    const marks = [];
    for (const s of lane.sessions) {
      const bar = el('div', {
        class: `tl-bar ${s.state}`,
        style: { left: x(s.start), width: width(s.start, s.until) },
        dataset: { session: s.id },
      });
      const span = Math.max(s.until - s.start, 1);
      for (const band of s.bands) {
        bar.append(
          el('span', {
            class: `tl-band ${band.background ? 'background' : 'foreground'}`,
            style: { left: `${(((band.from - s.start) / span) * 100).toFixed(3)}%`, width: `${(((band.to - band.from) / span) * 100).toFixed(3)}%` },
          }),
        );
      }
      // After its last event, idle until the timeout ended it (or will).
      if (s.idleFrom !== null) bar.append(el('span', { class: 'tl-idle', style: { left: `${(((s.idleFrom - s.start) / span) * 100).toFixed(3)}%`, right: '0' } }));
      if (s.state === 'ended') bar.append(el('span', { class: 'tl-stop', 'aria-hidden': 'true' }));
      track.append(bar);
      const events = s.events.length - (s.end ? 1 : 0);
      const status =
        s.state === 'ended'
          ? `ended: ${s.end.reason}, ${duration(s.end.duration)}`
          : s.state === 'open'
            ? `open, ${s.background ? 'background' : 'foreground'}`
            : s.state === 'left'
              ? 'no end sent: the device id changed after it'
              : `idle past its ${s.background ? 'background' : 'foreground'} timeout: the next event ends it`;
      const engaged = s.end ? s.end.engaged : s.engaged;
      const text = `${lane.browser ? `${deviceName(s.device)} · ` : ''}Session ${s.index} · ${s.mechanism} · ${events} event${events === 1 ? '' : 's'} · ${status}${engaged >= 0 ? ` · engaged ${duration(engaged)}` : ''}`;
      // Under the bar's start, moved left as far as needed to stay inside the track.
      const left = Math.max(0, Math.min(px(s.start), trackPx - text.length * CHAR));
      captions.push({ s, text, left });
      for (const mark of s.events) marks.push({ ...mark, session: s });
    }
    // Captions go below their bar, on the first line where they do not overlap another.
    const lines = stack(captions.map(({ text, left }) => [left, left + text.length * CHAR]), 12);
    captions.forEach(({ s, text, left }, i) =>
      track.append(el('div', { class: `tl-caption ${s.state}`, style: { left: `${left}px`, top: `${34 + lines[i] * 17}px` }, dataset: { session: s.id }, title: text }, text)),
    );
    // One tab stop per lane: the mark focused last, else the newest.
    const stop = marks.some((m) => m.event.eventId === this.stops.get(lane.id)) ? this.stops.get(lane.id) : marks.at(-1)?.event.eventId;
    // Events at (nearly) the same time are spread GAP px apart, inside the track; their tip tells the exact time.
    marks.sort((a, b) => a.t - b.t);
    const at = marks.map((m) => px(m.t));
    for (let i = 1; i < at.length; i++) at[i] = Math.max(at[i], at[i - 1] + GAP);
    for (let i = at.length - 1; i >= 0; i--) at[i] = Math.max(0, Math.min(at[i], (at[i + 1] ?? trackPx + GAP - 6) - GAP));
    for (const [i, { event, t, background, session }] of marks.entries()) {
      track.append(
        el('button', {
          type: 'button',
          class: `tl-mark k-${kind(event.name)}${background ? ' in-background' : ''}`,
          style: { left: `${at[i].toFixed(1)}px` },
          tabindex: event.eventId === stop ? '0' : '-1',
          'aria-label': `${event.name} at ${clock(t)}, session ${session.index}, event ${event.session.eventIndex}`,
          dataset: { id: event.eventId, lane: lane.id, name: event.name, t: String(t) },
        }),
      );
    }
    track.style.height = `${34 + (Math.max(0, ...lines) + 1) * 17 + 4}px`;
    return el(
      'div',
      {
        class: `tl-row tl-lane${mine ? ' mine' : ''}${lane.anonymous ? ' anonymous' : ''}`,
        role: 'group',
        'aria-label': `${name}${mine ? ' (this browser)' : ''}: ${lane.sessions.length} session${lane.sessions.length === 1 ? '' : 's'}`,
        dataset: { device: lane.id },
      },
      label,
      track,
    );
  }

  /** Arrow keys move along a lane (left, right, Home, End) and between lanes (up, down); Escape hides the tip. */
  onKey(e) {
    const mark = e.target.closest?.('.tl-mark');
    if (!mark) return;
    if (e.key === 'Escape') {
      this.dismissed = mark.dataset.id;
      return this.hideTip();
    }
    const lane = [...this.root.querySelectorAll(`.tl-mark[data-lane="${mark.dataset.lane}"]`)];
    const i = lane.indexOf(mark);
    let next = null;
    if (e.key === 'ArrowRight') next = lane[i + 1];
    else if (e.key === 'ArrowLeft') next = lane[i - 1];
    else if (e.key === 'Home') next = lane[0];
    else if (e.key === 'End') next = lane.at(-1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const lanes = [...this.root.querySelectorAll('.tl-lane')];
      const at = lanes.findIndex((l) => l.contains(mark)) + (e.key === 'ArrowUp' ? -1 : 1);
      const t = Number(mark.dataset.t);
      const candidates = lanes[at] ? [...lanes[at].querySelectorAll('.tl-mark')] : [];
      next = candidates.sort((a, b) => Math.abs(a.dataset.t - t) - Math.abs(b.dataset.t - t))[0];
    } else return;
    e.preventDefault();
    next?.focus();
  }

  showTip(mark) {
    const event = this.eventOf(mark.dataset.id);
    if (!event) return;
    const props = JSON.stringify(event.properties ?? {}, null, 1);
    const page = event.context?.page;
    this.tip.replaceChildren(
      el('b', {}, event.name),
      el('span', {}, ` ${clock(Date.parse(event.timestamp), true)}`),
      el('div', { class: 'tip-meta' }, `session ${event.session.sessionIndex} · event ${event.session.eventIndex} · ${event.context?.visibility ?? '?'} · ${event.session.storageMechanism}`),
      page ? el('div', { class: 'tip-meta' }, `${where(page)}${page.title ? ` · ${page.title}` : ''}`) : null,
      el('pre', {}, props.length > 600 ? props.slice(0, 600) + '…' : props),
    );
    this.tip.hidden = false;
    mark.setAttribute('aria-describedby', this.tip.id);
    const box = mark.getBoundingClientRect();
    const tipBox = this.tip.getBoundingClientRect();
    const left = Math.min(Math.max(box.left + box.width / 2 - tipBox.width / 2, 8), document.documentElement.clientWidth - tipBox.width - 8);
    const below = box.bottom + 8 + tipBox.height < document.documentElement.clientHeight;
    this.tip.style.left = `${left + scrollX}px`;
    this.tip.style.top = `${(below ? box.bottom + 8 : box.top - tipBox.height - 8) + scrollY}px`;
  }

  hideTip() {
    this.tip.hidden = true;
  }
}
