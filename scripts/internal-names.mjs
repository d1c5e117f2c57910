// Property names that never leave one copy of Stint: the core's model, the calls it holds and the steps it
// returns, and the parts of the shell that only it calls. The minifier shortens them, in the tag and in the
// npm build (one name cache for its chunks), as it shortens private state kept in closures. A name that
// crosses anything (the wire, the other tabs' messages, what is stored, the config, the public API, another
// build of Stint on the page) must never be here, nor a member of the browser's or JavaScript's own objects (the
// minifier shortens a name on every object: `document.head` too): test/mangle.test.ts checks this list against all of them.
export const INTERNAL_NAMES = [
  // core/model.ts: the model, the hold, a step's result
  'settings', 'consentMode', 'storageState', 'hold', 'losses', 'around', 'viewed', 'pageHidden', 'visibleTabs', 'recorded', 'newTab', 'lifeAt', 'withdrawn', 'grantedAt',
  'calls', 'chars', 'earlier', 'effects', 'kept',
  // core/event.ts, core/context.ts: what an event carries on its way
  'mechanism', 'props', 'ctx', 'chunk', 'pageJson', 'lastCtx', 'made', 'ctxJson',
  // core/route/route.ts: the wait for a route
  'withHash', 'last', 'seen', 'since', 'oldTitle', 'redrawn',
  // the shell's adapters: storage being opened, where the session is written, delivery, the tabs, the send turn
  'primary', 'mirror', 'found', 'synchronous', 'early', 'chain', 'othersOpen', 'sentElsewhere', 'sendingElsewhere', 'leave', 'alive', 'goOn', 'give', 'heard', 'said',
  // core/step.ts, core/ids.ts: shut down; the ids' source; where a page is
  'shutDown', 'fresh', 'derive', 'place',
  // core/session/rules.ts: a rule's outcome
  'current', 'ending',
  // core/send/send.ts: delivery's model; a reply; an entry's place in the queue
  'queue', 'known', 'inflight', 'awaiting', 'unconfirmed', 'carried', 'full', 'failures', 'retryAt', 'triedAt', 'told', 'waiters', 'limit', 'stopped', 'draining', 'missed',
  'moved', 'refused', 'refusals', 'seq',
  // the page's signals (lifecycle/page.ts), the tag's names and parts (loaders.ts, parts.ts), the cookie's probe,
  // what a held call carries
  'mayLeave', 'froze', 'resumed', 'watchRoutes', 'watchInput', 'formats', 'routes', 'missing', 'scriptUrl', 'works',
  'leaving', 'increment', 'linker', 'watchLinks', 'linked', 'watchCopy',
  // core/model.ts: storage's answer a landing page holds, the parts come; the shell's rooms (tracker.ts `Shell`)
  'answer', 'parts', 'keeper', 'shown', 'unwatch', 'lostEarly', 'handOff', 'follow', 'hear',
  // core/session/state.ts: the session's fields that are neither sent, exported (readSession's) nor a builtin's name (stored by
  // their short keys alone)
  'firstEventAt', 'siteBackground', 'backgroundReported', 'attributesAt', 'lastPage', 'businessUserId',
  'profileId', 'copiedAt',
  // the shell's wiring (tracker.ts `Shell`, shell/effects.ts), delivery's model and its shell (core/send/send-model.ts, delivery/sender.ts)
  'model', 'recording', 'dispatch', 'perform', 'tabs', 'live', 'saved', 'chunks', 'retryAfter', 'batch',
  // core/engaged/engagement.ts: a page's engagement, the steps the input part hands over (what the core calls of them), the calls they are given
  'engage', 'act', 'report', 'lapse', 'splitStretch', 'nextView', 'refocus', 'mergeStretch',
  // delivery's rooms and what they tell each other: the outcome a request had, the entries a leaving page handed over
  'handed', 'marked', 'mirrored', 'asked', 'again',
  // delivery's model (send-model.ts): the writes a page found unanswered, an entry's copies, a request let go; the
  // sender's check between requests (sender.ts `heed`); the keeper's last write; consent's last decision (core/consent.ts);
  // the kit engaged time's steps are given (record.ts `KIT`)
  'unanswered', 'copies', 'abandoned', 'heed', 'wroteLately', 'decidedAt', 'run',
];

/** The terser option that shortens them. */
export const mangleInternal = () => ({ properties: { regex: new RegExp(`^(${INTERNAL_NAMES.join('|')})$`), keep_quoted: true, builtins: true } });
