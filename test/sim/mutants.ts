/**
 * The bugs the simulator must find, each as a mutant: Stint's source with one fix taken back (bundle.ts). The last
 * round's two (749b4b5, b72d5d6), a flush() that resolves at once, and each loss or repeat this simulator found. A
 * mutant names the invariant it breaks; `npm run simulate -- --mutant <name>` counts the seeds it takes, and
 * test/sim/regressions.test.ts proves each is still found (and fixed) by the schedule that found it.
 */
import type { Mutation } from './bundle';

export interface Mutant extends Mutation {
  name: string;
  /** the invariant it breaks (check.ts) */
  rule: string;
}

export const MUTANTS: Mutant[] = [
  {
    name: 'outbox read race',
    // 749b4b5: a chunk missing from the keys read counted as delivered elsewhere, though written after they were read:
    // its events left the queue unsent, and a flush resolved without them (the outbox still held them: a later read sent
    // them, when one came)
    rule: 'a resolved flush() means a 2xx',
    file: 'core/send/send-read.ts',
    find: 'const gone = d.asked.filter((c) => d.saved[c] && !there.has(c));',
    replace: 'const gone = Object.keys(d.saved).filter((c) => !there.has(c));',
  },
  {
    name: 'start ignores the hand-over',
    // b72d5d6: a page's start took its store's session as it found it, not the later one the tab's last page handed
    // over; the mirror behind IndexedDB covers that too (read at the start, and before every input since issue 64's
    // channel tail), so it goes with it
    rule: 'eventIndex once',
    file: 'core/answers.ts',
    find: 'const stale = held && handed ? merge(held, handed) : held;',
    replace: 'const stale = held;',
    also: [
      {
        file: 'session/stores/chain.ts',
        find: 'found: stored && kept ? merge(stored, kept) : stored || kept',
        replace: 'found: stored',
      },
      {
        file: 'session/keeper.ts',
        find: 'const store = chain.synchronous ? chain.primary : chain.mirror;',
        replace: 'const store = chain.synchronous ? chain.primary : due && chain.mirror;',
      },
    ],
  },
  {
    name: 'flush resolves at once',
    rule: 'a resolved flush() means a 2xx',
    file: 'shell/calls.ts',
    find: '.then(() => shell.sender?.flush())',
    replace: '.then(() => undefined)',
  },
  {
    name: 'a beacon counts without news',
    // this round: a page that knew nothing of delivery counted its beacon delivered (an offline reload lost it all)
    rule: 'every event arrives',
    file: 'core/send/verdict.ts',
    find: 'return online && !!known && known[0] && at - known[1] <= TRUST;',
    replace: 'return online && (!known || known[0]);',
  },
  {
    name: 'no verdict on a beacon',
    // this round: a beacon counted delivered at once, before the site's next outcome could say it was lost
    rule: 'every event arrives',
    file: 'core/send/verdict.ts',
    find: 'for (const id of ids) if (!d.awaiting.has(id)) d.awaiting.set(id, left);',
    replace: 'for (const id of ids) if (!d.awaiting.has(id)) d.awaiting.set(id, left - VERDICT);',
  },
  {
    name: 'what the tabs say while storage opens is lost',
    // this round: two tabs starting after a crash repeated eventIndex 5-7
    rule: 'eventIndex once',
    file: 'core/answers.ts',
    find: "if (m.storageState !== 'open') return void (m.heard = m.heard ? merge(m.heard, complete(theirs, m.heard)) : theirs);",
    replace: 'if (m.storageState !== \'open\') return;',
  },
  {
    name: 'a leaving page writes an older count back',
    // this round: Chromium runs the leaving page's pagehide after the restored page's pageshow
    rule: 'eventIndex once',
    file: 'shell/tracker.ts',
    find: "const due = input[0] === 'pagehide' || dueToEnd(shell.model, at);",
    replace: 'const due = dueToEnd(shell.model, at);',
  },
  {
    name: 'a restored page does not watch the store',
    // this round: a background 1 ms after the other page's exit took its eventIndex
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: 'const WATCH = 1000;',
    replace: 'const WATCH = -Infinity;',
  },
  {
    name: 'the store is not written back',
    // this round: after two tabs wrote in the same moment, the older count stayed, and a third tab took its indices
    rule: 'eventIndex once',
    file: 'core/answers.ts',
    find: "  else fx.push(['writeBack']);",
    replace: '',
  },
  {
    name: 'a heard state is always answered',
    // seed 26719: five tabs, two tracking every few ms; a tab that heard an older state than it knew saved and told its
    // own, and so did every tab that heard that answer and knew more: a storm of writes and messages that never ended
    rule: 'liveness',
    file: 'core/answers.ts',
    find: "  if (told != encodeState(mine)) keep(m, fx, known);\n  else fx.push(['writeBack']);",
    replace: '  keep(m, fx, known);',
  },
  {
    name: 'a withdrawal away is not heard',
    // this round: a page restored after a withdrawal elsewhere wrote its session back and sent it
    rule: 'nothing sent after a refusal',
    file: 'core/consent.ts',
    find: "if (m.grantedAt !== null && when > m.grantedAt) consent(m, fx, ['consent', at, 'denied', 'tab', false, when]);",
    replace: '',
  },
  {
    name: 'a tab whose write failed sends alone',
    // this round: a write aborted as the page entered the cache; back, it sent without the turn what another tab read
    rule: 'nothing twice in the normal course',
    file: 'delivery/cycle.ts',
    find: 'const mine = !o.turn || (await o.turn.claim());',
    replace: 'const mine = !model.kept || !o.turn || (await o.turn.claim());',
  },
  {
    name: "a page's own outcome before the site's",
    // this round: a 2xx after another tab's failure took what a leaving page had in flight as delivered
    rule: 'every event arrives',
    file: 'core/send/verdict.ts',
    find: 'if (shared) follow(d, fx, shared);',
    replace: '',
  },
  {
    name: 'a page that starts offline learns nothing',
    // this round: the network went down as a page left with a request in flight; the next page started offline
    rule: 'every event arrives',
    file: 'delivery/sender.ts',
    find: "if (o.offline) run('offline', null, o.offline);",
    replace: '',
  },
  {
    name: 'a write cut by the cache falls back',
    // this round: WebKit aborted the session's write as the page entered the cache, told once it was back
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: 'mark < 0 || mark !== lifeMark()',
    replace: 'mark < 0',
  },
  {
    name: 'an exit does not read the mirror behind IndexedDB',
    // this round: a tab frozen while another closed counted its exit with the closed tab's index
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: 'const store = chain.synchronous ? chain.primary : chain.mirror;',
    replace: 'const store = chain.synchronous && chain.primary;',
  },
  {
    name: 'a restore does not read the mirror',
    // this round: a page that left before its store answered went on in memory, and back counted from its own count
    rule: 'eventIndex once',
    file: 'shell/store.ts',
    find: "shell.now('reread', value, handedOver() || handOff(), shell.keeper?.mirrored());",
    replace: "shell.now('reread', value, handedOver() || handOff());",
  },
  {
    name: 'held calls move the activity back',
    // this round: two tabs granted after minutes each ended the session another tab had just opened, and opened two;
    // its seed 1381 now meets the session oracle first (an event past its session's end, a negative duration)
    rule: 'sessions as the rules give',
    file: 'core/record.ts',
    find: 'for (const call of held) (perform(m, fx, call), keepUp());',
    replace: 'for (const call of held) perform(m, fx, call);',
    also: [{ file: 'core/record.ts', find: '  first?.();\n  keepUp();', replace: '  first?.();' }],
  },
  {
    name: "a freeze leaves the hide's hand-over",
    // this round: a tab tracked while hidden, froze, was discarded and reloaded; the reload took the session as the
    // hide had left it in the tab's item, and repeated the hidden event's eventIndex
    rule: 'eventIndex once',
    file: 'core/session/site.ts',
    find: "  if (!m.left) leave(m, fx, 'hideTab');",
    replace: "  if (shown) leave(m, fx, 'hideTab');",
    also: [
      {
        file: 'core/session/site.ts',
        find: "export function visibility(m: Model, fx: Effect[], [, at, hidden]: InputOf<'visibility'>): void {",
        replace: "export function visibility(m: Model, fx: Effect[], [, at, hidden]: InputOf<'visibility'>): void {\n  const shown = !m.pageHidden;",
      },
    ],
  },
  {
    name: 'a stand-in ignores the mirror',
    // this round: a tab opened while IndexedDB stalled went on as a new device, and its mirror write hid the last
    // page's count from the next page, which repeated an eventIndex
    rule: 'eventIndex once',
    file: 'session/open.ts',
    find: 'early.found = handed && kept ? merge(handed, kept) : handed || kept;',
    replace: 'early.found = handed;',
  },
  {
    name: 'the mirror behind IndexedDB lags',
    // this round: written every 2 s, it was 42 ms behind another tab when a frozen tab left, whose exit took its count
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: 'writeMirror(state, value, all || !cookie, back);',
    replace: 'writeMirror(state, value, all, back);',
  },
  {
    name: 'two removals from one chunk undo each other',
    // seed 31484: a chunk held another tab's handed-over event and this tab's own; its delivered event and the other's
    // mark were removed in one transaction, each from the chunk as read, and the last write put the delivered one back
    rule: 'nothing twice in the normal course',
    file: 'delivery/outbox-store.ts',
    find: 'if (list.find(([k]) => k == key)![1] != ids) continue;',
    replace: '',
    also: [
      {
        file: 'delivery/outbox-store.ts',
        find: 'const gone = new Set(list.flatMap(([k, more]) => (k == key ? more : [])));',
        replace: 'const gone = new Set(ids);',
      },
    ],
  },
  {
    name: 'a cycle due during a drain is lost',
    // seed 33341: a tab's read of the outbox had no answer in 3 s; the read again it asked for fell due while its own
    // events were in flight, and was dropped: 185 events of the pages before stayed in the outbox, never sent
    rule: 'every event arrives',
    file: 'core/send/send.ts',
    find: "d.missed && ((d.missed = false), fx.push(['cycle']))",
    replace: 'd.missed && (d.missed = false)',
  },
  {
    name: 'a refusal in a page that knew no grant marks nothing',
    // seed 35483: a page restored from the cache, which had not heard the site's grant, was told "denied" and erased,
    // but marked no withdrawal: a tab frozen meanwhile, resumed to be reloaded, sent identifying events as it left
    rule: 'nothing sent after a refusal',
    file: 'core/consent.ts',
    find: "fx.push(['erase', t, true]);",
    replace: "fx.push(['erase']);",
  },
  {
    name: 'a withdrawal away is learned when the store answers',
    // seed 35483: read only once the store was read again, it came after the pagehide of a frozen tab resumed to be
    // reloaded, whose last events went out identified
    rule: 'nothing sent after a refusal',
    file: 'shell/signals.ts',
    find: "const learnWithdrawal = (shell: Shell) => shell.now('withdrawal', readWithdrawn());",
    replace: 'const learnWithdrawal = (shell: Shell) => {};',
    // (a page looks for a withdrawal before it sends or beacons too since seeds 18728 and 25477: that covers this one)
    also: [
      {
        file: 'shell/store.ts',
        find: "if (when > (shell.model.grantedAt ?? Infinity)) shell.now('withdrawal', when);",
        replace: 'void when;',
      },
    ],
  },
  {
    name: 'a sender started again learns an old offline spell',
    // seed 18505: after a withdrawal and a grant, the page's new sender took the offline spell its page saw at load as
    // news, over the 2xx learned since; its request in flight as the page left was judged lost, and sent twice
    rule: 'nothing twice in the normal course',
    file: 'shell/effects.ts',
    find: 'effects.offline = null;',
    replace: '',
  },
  {
    name: 'a background gap judged by the foreground timeout',
    // issue 64: the session oracle's own (test/sim/oracle.ts): a session boundary by the wrong timeout
    rule: 'sessions as the rules give',
    file: 'core/session/rules.ts',
    find: 'if (now - s.lastEventAt > (s.siteBackground ? t.backgroundTimeout : t.foregroundTimeout)) {',
    replace: 'if (now - s.lastEventAt > t.foregroundTimeout) {',
  },
  {
    name: 'a session_end names the other timeout',
    // issue 64: the session oracle's own: a session's end and the next start for a reason the rules do not give
    rule: 'sessions as the rules give',
    file: 'core/session/rules.ts',
    find: "return s.siteBackground ? 'background_timeout' : 'foreground_timeout';",
    replace: "return s.siteBackground ? 'foreground_timeout' : 'background_timeout';",
  },
  {
    name: 'a shown page takes the background it hears',
    // the session oracle's seed 60: a page restored before the other page of its tab left (Chromium) heard that page's
    // exit say the site was in the background, and two minutes in it ended the session for background_timeout (seeds
    // 113 and 134: so did a tab that closed beside a shown one, and 25 s of reading in that one)
    rule: 'sessions as the rules give',
    file: 'core/answers.ts',
    find: '  if (!m.hold && !m.pageHidden && m.session?.siteBackground) change(m, fx, at, false, !m.session.backgroundReported);',
    replace: '',
  },
  {
    name: 'a hide while a restore reads the store is lost',
    // the session oracle's seed 1298: a page hidden 42 ms after its restore, while IndexedDB was read again, compared
    // its hide with the session as it had left it (in the background): nothing was recorded, and 80 s in the
    // background were judged by the foreground timeout
    rule: 'sessions as the rules give',
    file: 'core/session/site.ts',
    find: "  if (m.hold && m.storageState === 'open') run(m, fx, { type: 'visibility', at, background });\n  else if",
    replace: '  if',
  },
  {
    name: 'a tab that heard more keeps its own late write',
    // seed 369: a tab answering a new tab's roll call wrote eventIndex 47 a ms after the new tab wrote 48 (the jar's copy
    // of its tab lagging), heard 48 next and took it silently: the store held 47, and a third tab counted from it
    rule: 'eventIndex once',
    file: 'core/answers.ts',
    find: "return void (told != encodeState(mine) && fx.push(['writeBack', true]));",
    replace: 'return;',
  },
  {
    name: 'a refused hand-over counts as judged',
    // seed 1009: localStorage (full) refused a hidden tab's hand-over of what it beaconed; following the site's record,
    // the tab found those entries in no list, took them as judged sent, and the failure 35 ms later sent nothing again
    rule: 'every event arrives',
    file: 'delivery/sent-marks.ts',
    find: 'if (own || group[3]) (unwritten.push(group), own || shadowed.add(key!));',
    replace: 'if (!own && group[3]) (unwritten.push(group), shadowed.add(key!));',
  },
  {
    name: 'a mirror that failed stays behind',
    // seed 2658: localStorage (full) refused a page's mirror of the session in IndexedDB; a new tab, its IndexedDB
    // stalled, stood in with the session the mirror held seconds before and rolled it over into a second session 2 (since
    // the next session is derived from the last one's id alone, into the same session, counting from an older index)
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: 'attempt(mirror.delete, () => {});',
    replace: '',
  },
  {
    name: 'a refuted hand-over whose again is refused counts as judged',
    // seed 15980: a failure soon after a page beaconed refuted its hand-over, localStorage (full) refused stint:again,
    // and the hand-over was removed all the same; its page, restored from the cache, found its entries in no list,
    // took them as judged sent and removed them from the outbox (the beacon was lost as the network went down)
    rule: 'every event arrives',
    file: 'delivery/sent-marks.ts',
    find: '!ids.length || writeJson(AGAIN, [...readIds(AGAIN), ...ids].slice(-MAX_MARKS))',
    replace: '(writeJson(AGAIN, [...readIds(AGAIN), ...ids].slice(-MAX_MARKS)), true)',
  },
  {
    name: 'the outbox is never written',
    // issue 64: every event in memory alone, which the checks of then excused whenever its page went (1,468 excuses per
    // 2,000 seeds became 13,277, and no seed failed); a page's going excuses only a write it lost, or came before
    rule: 'every event arrives',
    file: 'delivery/outbox.ts',
    find: 'if (!store || !writable) return;',
    replace: 'return;',
  },
  {
    name: 'a failed write taken as written',
    // issue 64: a write that failed (the disk full, or WebKit dropping it as its page enters the cache) taken as
    // landed: its chunk then looks delivered by another tab once missing from the outbox, and its events leave unsent
    rule: 'every event arrives',
    file: 'delivery/outbox.ts',
    find: '() => ((writable = false), written(keys, false)),',
    replace: '() => written(keys, true),',
  },
  {
    name: 'an anonymous page sends nothing',
    // issue 64: the checks of then excused every event of a page that heard a refusal (docs/consent.md promises
    // cookieless events); an anonymous page's event is excused only by a grant after it, a loss in flight, or its page
    // going with its memory outbox and no moment to beacon
    rule: 'every event arrives',
    file: 'shell/effects.ts',
    find: 'enqueue: (entry) => shell.sender?.add(entry),',
    replace: "enqueue: (entry) => shell.model.consentMode === 'anonymous' || shell.sender?.add(entry),",
  },
  {
    name: 'an uncounted loss',
    // issue 64: the checks of then never read `dropped`: a batch given up went uncounted, and every seed passed
    rule: 'every loss counted',
    file: 'core/send/send-queue.ts',
    find: 'd.dropped += list.length;',
    replace: '',
  },
  {
    name: "a grant after a refusal dates the page's life from its load",
    // seed 3383: pending, a refusal, 96 s in the background, shown, a grant: the session began at the load, the
    // changes heard during the refusal unkept, and the next page ended it by the foreground timeout
    rule: 'sessions as the rules give',
    file: 'core/consent.ts',
    find: "if (was === 'denied' && m.lifeAt !== null) m.lifeAt = at;",
    replace: '',
  },
  {
    name: 'a leaving page records the background beside a shown tab',
    // seed 4787: the exit said background while another tab was shown; that tab's correction reached the cookie jar
    // before the exit's write, and the next page ended the session for background_timeout 53 s later
    rule: 'sessions as the rules give',
    file: 'core/session/site.ts',
    find: 'const background = !shown.length;',
    replace: 'const background = true;',
  },
  {
    name: "an anonymous page does not hear the site's background",
    // seed 16140: a hidden anonymous page heard the last shown tab hide, and judged a gap of 32 s by the foreground's
    rule: 'sessions as the rules give',
    file: 'core/session/site.ts',
    find: "if ((records || m.consentMode === 'anonymous') && siteBackground(m)",
    replace: 'if (records && siteBackground(m)',
  },
  {
    name: 'a later exit hands over again what an earlier one did',
    // seed 9824: a page froze with a request in flight and handed it over; it left 3 s later, the answer unheard, and
    // handed it over again with the new time: a failure 10 s after the first exit sent again what the collector held
    rule: 'nothing twice in the normal course',
    file: 'core/send/send-away.ts',
    find: '.filter((id) => !d.awaiting.has(id));',
    replace: ';',
  },
  {
    name: 'a state heard is not followed by a read again',
    // seed 6947 (a tab added that lives): a closing tab's eventIndex 59 landed in the jar 27 ms late, over the 67 the
    // tab that heard it had written since, and a new tab counted from 59
    rule: 'eventIndex once',
    file: 'shell/signals.ts',
    find: "timer ??= setTimeout(settled, SETTLE);",
    replace: '',
  },
  {
    name: "a read again due while a hidden page's timer sleeps waits for it",
    // seed 37883: a closing tab's eventIndex 4 landed in the jar 157 ms late over the 5 of a hidden tab that heard it;
    // the tab's read again, due 500 ms after the state heard, slept till the next whole second, and the tab crashed
    // first (32 ms after a request it sent meanwhile); a new tab counted 5 again
    rule: 'eventIndex once',
    file: 'shell/signals.ts',
    find: 'effects.overdue = () => void (timer !== undefined && Date.now() >= due && settled());',
    replace: '',
  },
  {
    name: 'a page back from the cache holds back what no write kept',
    // seed 24210: a write the disk refused while its page was in the cache, unheard; back, the page held every entry for
    // the outbox's read, which IndexedDB stalled, and left again: the event never in any request
    rule: 'every event arrives',
    file: 'core/send/send-away.ts',
    find: 'live(d).forEach((e) => d.saved[e.chunk] && d.unconfirmed.add(e.id))',
    replace: 'live(d).forEach((e) => d.unconfirmed.add(e.id))',
  },
  {
    name: "a withdrawal keeps what the tab's last page handed over",
    // seed 31482: a page reloaded took its tab's hand-over, was refused, then granted: the store's new session (index 1,
    // reason consent) merged with the handed-over one, which won by its id; the page ended it at once and went on
    rule: 'eventIndex once',
    file: 'shell/effects.ts',
    find: "[leftTab, effects.handOff] = [null, ''];",
    replace: '',
  },
  {
    name: 'a database that cannot be opened leaves the session in memory',
    // seed 36559: cookies blocked, the disk refused a tab's database as a grant came; the tab counted in memory, and a
    // tab opened later counted from the store's older count
    rule: 'eventIndex once',
    file: 'session/stores/chain.ts',
    find: "get().then(read, instead) : instead()",
    replace: 'get().then(read, inMemory) : inMemory()',
  },
  {
    name: "a page that holds its calls does not hold the site's change a tab brings",
    // seed 31172: two pages pending; the last shown closed, recording nothing; the other, granted 70 s later, recorded
    // the site as last it had seen it, shown, and the next page ended the session by the foreground's timeout
    rule: 'sessions as the rules give',
    file: 'core/session/site.ts',
    find: 'if (m.hold && was !== siteBackground(m))',
    replace: 'if (false)',
  },
  {
    name: 'leaving anonymous erases the device',
    // seed 7162: a grant heard by an anonymous tab deleted the database the granting tab had just written its session's
    // start in: the start never sent, and its session judged without it
    rule: 'every event arrives',
    file: 'shell/store.ts',
    find: 'if (withdrawn === undefined) return;',
    replace: '',
  },
  {
    name: 'the next session derived from what each tab saw of the last',
    // seed 5117: a page restored into a pending consent released held calls that went on in the session as a new tab
    // rolled it over: each derived the next from another last activity, two sessions of one index
    rule: 'one live session',
    file: 'core/session/rules.ts',
    find: 'ids.derive(prev.sessionId)',
    replace: 'ids.derive(`${prev.sessionId}/${prev.lastEventAt}`)',
  },
  {
    name: 'a withdrawal lets a write asked before it begin',
    // seed 1325: a page's outbox write waited behind its stalled open; a withdrawal erased the device, and the write
    // began after it, storing the events the withdrawal had erased (the deletion that waited behind it took them later)
    rule: 'nothing stored without consent',
    file: 'ground/db.ts',
    find: 'drop() {\n      deleted = true;',
    replace: 'drop() {\n      deleted = false;',
  },
  {
    name: 'a stalled claim leaves the turn for 50 s',
    // issue 64: the checks excused a repeat sent within 60 s of any slow transaction of its tab; only the drain that the
    // stalled claim began goes without the turn, not the cycles after it
    rule: 'nothing twice in the normal course',
    file: 'delivery/turn.ts',
    find: 'return (held = true);',
    replace: 'return (stalled = began), (held = true);',
    also: [
      { file: 'delivery/turn.ts', find: 'let held = false;', replace: 'let held = false;\n  let stalled = -Infinity;' },
      {
        file: 'delivery/turn.ts',
        find: 'async claim() {',
        replace: 'async claim() {\n      const began = Date.now();\n      if (began - stalled < 50_000) return (held = true);',
      },
    ],
  },
  {
    name: 'a removal waits 100 ms',
    // issue 64: the checks excused a repeat whose first copy's page was killed at any time after; what it delivered
    // leaves the outbox at the end of the task that heard the answer, and only a kill before that lands excuses it
    rule: 'nothing twice in the normal course',
    file: 'delivery/outbox.ts',
    find: 'removals.push(...list);\n      endOfTask();',
    replace: 'removals.push(...list);\n      setTimeout(endOfTask, 100);',
  },
  {
    name: 'a read brings back what left while it was under way',
    // seed 5879: a read of the outbox stalled behind IndexedDB answered after another tab's delivery of those events
    // was heard, with the chunks as they were before that tab's removal landed: they were sent a second time
    rule: 'nothing twice in the normal course',
    file: 'core/send/send-read.ts',
    find: 'if (since?.has(e.id)) continue;',
    replace: 'void since;',
  },
  {
    name: 'a removal the disk refused leaves its events to be sent again',
    // seed 39524: the removal of a delivered batch from a partly sent chunk, refused by a full disk; the events stayed
    // in the outbox and the next page sent them again
    rule: 'nothing twice in the normal course',
    file: 'delivery/outbox.ts',
    find: '() => (done(), store && mark(ids)),',
    replace: 'done,',
  },
  {
    name: "an outcome judges the hand-overs without the site's last one",
    // seed 39509: a page shared a failure and crashed before it judged the beacon it had handed over; the next page's
    // own outcome, 20 s later, judged it sent, and it was never sent again (the beacon had been lost)
    rule: 'every event arrives',
    file: 'delivery/sender.ts',
    find: '(judgeLast(), judgeHandedOver(',
    replace: '(judgeHandedOver(',
    // (and the judge itself: its unit test, test/sent-marks.test.ts, once the seeds no longer drew it)
    also: [{ file: 'delivery/sent-marks.ts', find: 'if (outcome) judgeHandedOver(outcome);', replace: 'void outcome;' }],
  },
  {
    name: 'a page come back drains before its writes answer',
    // seed 7886: a chunk written while its page was in the back/forward cache, its answer heard after the restored
    // page's drain began: its read did not count the chunk as the page's, and another tab had delivered it meanwhile
    rule: 'nothing twice in the normal course',
    file: 'core/send/send-away.ts',
    find: 'd.unanswered = open.length ? [open, at + UNANSWERED_WAIT] : null;',
    replace: 'd.unanswered = null;',
  },
  {
    name: 'a tab reads the mirror behind IndexedDB only before an end',
    // issue 64: with the channel's tail (a tab busy with a long task hears a message hundreds of ms late), a tab whose
    // session is in IndexedDB heard another's change by message alone, and two tabs 100 ms apart took one eventIndex
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: 'const store = chain.synchronous ? chain.primary : chain.mirror;',
    replace: 'const store = chain.synchronous ? chain.primary : due && chain.mirror;',
  },
  {
    name: 'a page whose mirror behind IndexedDB failed once gives it up',
    // issue 64, seed 222: localStorage refused a tab's mirror once; it wrote it no more while the other tabs did, and
    // read only what they wrote: its count came to them by message alone, 450 ms late, and was taken again
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: "if (chain.synchronous) chain.mirror = null;\n        else mirroredValue = '';",
    replace: 'chain.mirror = null;',
  },
  {
    name: 'a roll call never finds a shown tab gone',
    // issue 64: the oracle's tolerance `ghost` (a crashed tab counted shown) lasts only until the roll call of the last
    // tab that knew it: a tab that counts it shown for ever keeps the site in the foreground after every tab is hidden
    rule: 'sessions as the rules give',
    file: 'shell/effects.ts',
    find: "if (gone.length) shell.now('tabsGone', gone);",
    replace: 'void gone;',
  },
  {
    name: 'a removal refused after a withdrawal marks its events',
    // seed 13387: consent withdrawn, the database deleted, a removal asked before it failed, and its events were marked
    // sent in localStorage: stored after a refusal
    rule: 'nothing stored without consent',
    file: 'delivery/outbox.ts',
    find: '() => (done(), store && mark(ids)),',
    replace: '() => (done(), mark(ids)),',
  },
  {
    name: 'a write-back writes what the store holds already',
    // seed 5349: a tab wrote back the counts it heard (107 to 109), which reached the jar 30 ms late, over another tab's
    // 113; a tab read 109 there and took 110 to 112 again
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: 'if (stored !== last && !(back && holds(chain, state)))',
    replace: 'if (stored !== last)',
  },
  {
    name: 'a tab does not read the store again after its write',
    // seed 27538: a new tab wrote eventIndex 20; a tab that had read 17 15 ms before wrote 18 over it, then read 18 and
    // took 19 and 20 again, 50 and 90 ms later, its message late
    rule: 'eventIndex once',
    file: 'shell/store.ts',
    find: 'timer ??= setTimeout(() => ((timer = undefined), again()), VERIFY);',
    replace: 'void VERIFY;',
  },
  {
    name: 'a page goes before its throttled timer takes a failure',
    // seeds 6150, 36258, 35783 (and 6639, 9354, 10707, 15378): a network error (or a keepalive fetch the quota refused)
    // heard by a hidden page, whose 250 ms timer Chromium's throttling put off to the next whole second; the page froze
    // or left first, and handed the failed request over as in flight: its events counted delivered, and were lost
    rule: 'every event arrives',
    file: 'shell/signals.ts',
    find: 'mayLeave: () => (takeDue(), shell.opener?.goOn()),',
    replace: 'mayLeave: () => (void takeDue, shell.opener?.goOn()),',
  },
  {
    name: 'a chunk with nothing new goes whole, though it holds what is queued here',
    // seed 32548: two tabs wrote the session_end they both found, each in its own chunk; one removed the other's at
    // once (nothing new in it), which that tab took for delivered, and it removed in turn, whole, the chunk that held it
    rule: 'every event arrives',
    file: 'core/send/send-read.ts',
    find: 'if (copies.size) for (const e of live(d))',
    replace: 'if (copies.size < 0) for (const e of live(d))',
  },
  {
    name: 'a drain takes the chunks known as it was asked',
    // seed 15392: a claim of the turn waited a second on a roll call, the tab's chunk written meanwhile; another tab
    // delivered and removed it, its `sent` 654 ms late, and the read took the chunk missing for a write landed after it
    rule: 'nothing twice in the normal course',
    file: 'delivery/cycle.ts',
    find: "run('reading');",
    replace: '',
  },
  {
    name: "a copy delivered elsewhere stays in its tab's chunk",
    // seed 36285: two tabs found the session over, one session_end id in each tab's chunk; one delivered its own and
    // removed it, the other forgot its copy but left it in its chunk, which the first read later and sent again
    rule: 'nothing twice in the normal course',
    file: 'core/send/send.ts',
    find: 'set.has(e.id) && d.live[e.chunk]',
    replace: 'false',
  },
  {
    name: 'a request does not look for a withdrawal another tab stored',
    // seed 18728: a refusal's message came 777 ms late; a request the tab sent meanwhile identified the visitor
    rule: 'nothing sent after a refusal',
    file: 'delivery/cycle.ts',
    find: 'o.heed?.();',
    replace: '',
  },
  {
    name: 'a leaving page does not look for a withdrawal another tab stored',
    // seed 25477: a refusal's message came 804 ms late; a tab reloaded meanwhile beaconed what identified the visitor
    rule: 'nothing sent after a refusal',
    file: 'shell/signals.ts',
    find: 'setLeaving(true), heedWithdrawal(shell), now(',
    replace: 'setLeaving(true), now(',
  },
  {
    name: "a tab's decision told late undoes a later one",
    // seed 27470: a loading page told the grant its consent platform remembered; the message came 444 ms late, after a
    // refusal in another tab, and the refusing tab took it: it stored the session again and sent who the visitor is
    rule: 'nothing stored without consent',
    file: 'core/consent.ts',
    find: "if (from === 'tab' && (t < m.decidedAt || (t === m.decidedAt && state === 'granted'))) return;",
    replace: '',
  },
  {
    name: 'of a grant and a refusal in one ms, each tab keeps the other',
    // seed 7548's schedule: a loading page told the refusal its platform remembered in the ms another tab granted; each
    // tab took the other's, and the tabs went on apart (the granting one refused, the loading one granted)
    rule: 'nothing stored without consent',
    file: 'core/consent.ts',
    find: "(t === m.decidedAt && state === 'granted')",
    replace: 'false',
  },
  {
    name: 'a withdrawal heard late is marked at the hearing',
    // seed 7548: the tab that withdrew on another's refusal, heard 62 ms late, marked the device at the hearing, after
    // the grant the other tab took meanwhile: that tab found the mark 80 s later and erased the site's outbox
    rule: 'every event arrives',
    file: 'core/consent.ts',
    find: "fx.push(was === 'granted' ? ['erase', t] : ['erase']);",
    replace: "fx.push(was === 'granted' ? ['erase', at] : ['erase']);",
  },
  {
    name: 'a tab reads the store before an input once a second',
    // keeper.ts READ_EVERY: two tabs' events less than a read's interval apart, the other's message late, took one index
    rule: 'eventIndex once',
    file: 'session/keeper.ts',
    find: 'const READ_EVERY = 20;',
    replace: 'const READ_EVERY = 1000;',
  },
  {
    name: 'two pages hand over under one key',
    // seed 15705: two tabs sent the same entries (a stalled claim of the turn); one closed, handing over that request in
    // flight with its beacon, and the other, entering the back/forward cache 1.2 s later, handed over its own request
    // under the same key (its first entry's id): the closed tab's beacon, no longer handed over, was sent again
    rule: 'nothing twice in the normal course',
    file: 'delivery/sent-marks.ts',
    find: 'key = `${LEFT}${page}:${group[1][0]}`;',
    replace: 'key = LEFT + group[1][0];',
  },
  {
    name: 'a tab reads the store again only just after its write',
    // seed 41929: a crashing tab's cookie write of eventIndex 8 landed 41 ms after a tab's write of 10, 1 ms after that
    // tab read the jar again; no read came after, and a page loaded 2 s later took 9 and 10 again
    rule: 'eventIndex once',
    file: 'shell/store.ts',
    find: '(clearTimeout(late), (late = setTimeout(again, VERIFY_LATE)));',
    replace: 'void VERIFY_LATE;',
  },
  {
    name: "a roll call hears only a tab's answer",
    // seed 42077: the tab that held the send turn answered another's roll call 1.5 s late (the roll call's message 895 ms
    // late, then its page busy 604 ms), though it said what it tracked and delivered meanwhile: its turn was taken, and
    // what it had in flight, read from the outbox before its 2xx was heard, sent again
    rule: 'nothing twice in the normal course',
    file: 'session/tabs.ts',
    find: '} else if (message.f) for (const answered of listening) answered(message.f, true);',
    replace: '}',
  },
  {
    name: "another tab's refusal erases the device in a page that stored nothing",
    // seed 8097 (helper's triage): a tab refused, then granted in the same ms; a pending tab heard the refusal 2 ms
    // later, found the grant's new cookie, took it for a grant it had not heard, and erased it with the database
    rule: 'every event arrives',
    file: 'core/consent.ts',
    find: "from !== 'default' && from !== 'tab') {",
    replace: "from !== 'default') {",
  },
  {
    name: "a page's decision in the ms of one it heard ties with it",
    // seed 8097: a tab refused, then granted in one ms; the other tab heard both with one time, and kept the refusal
    rule: 'every event arrives',
    file: 'core/consent.ts',
    find: "const t = from === 'tab' ? told || at : Math.max(at, m.decidedAt + 1);",
    replace: "const t = from === 'tab' ? told || at : at;",
  },
  {
    name: "a page that leaves waits for its roll call's timer",
    // seed 40255: a tab hidden while another, crashed 2 minutes before, still counted as shown, closed 1.1 s later,
    // before its roll call's timer (put off to the next whole second in a hidden page) ran: its exit recorded the site
    // shown, and the next session named foreground_timeout
    rule: 'sessions as the rules give',
    file: 'core/session/site.ts',
    find: 'at - m.asked[0] >= ROLL_CALL',
    replace: 'at - m.asked[0] >= Infinity',
  },
  {
    name: 'a tab taken for shown by one hidden records nothing',
    // seed 44427: two tabs hidden 30 ms apart, each hide heard 48 ms late: each took the other for shown and recorded no
    // background; 44 s in the background were judged by the foreground's timeout, and the exit went in the session over
    rule: 'sessions as the rules give',
    file: 'session/tabs.ts',
    find: '=> !!c?.includes(id) && c.every((t) => t <= id);',
    replace: '=> !c && !id;',
  },
  {
    name: "a page keeps the tabs' channel in the back/forward cache",
    // issue 64's fidelity: a message on a channel a cached page kept open evicts it in Chromium and Firefox, and the
    // visitor's way back reloads the page (the simulator models it since; Stint leaves the channel at pagehide)
    rule: 'the host page comes first',
    file: 'session/tabs.ts',
    find: '      channel?.close();\n      channel = null;\n    },',
    replace: '      channel = null;\n    },',
  },
  {
    name: 'a refused store hands the session to memory, past the mirror',
    // issue 64: the oracle's `storeRefused` excuses a boundary judged by what a page held alone after the disk refused
    // the session's write; a refusal must not excuse a page that dropped the mirror, which still held the session
    // (found by seeds 123, 605, 813, 856, 968 of 1-1,000: eventIndex twice, and sessions the rules do not give)
    rule: 'sessions as the rules give',
    file: 'session/keeper.ts',
    find: 'chain.primary = mirror || memoryStore();',
    replace: 'chain.primary = memoryStore();',
  },
  {
    name: 'a refutation localStorage refuses is forgotten',
    // seed 49719: a hidden tab's beacon lost as the network went down; another tab's failure refuted it 8 s later, with
    // localStorage full (stint:again and the hand-over's mark refused): the hand-over stayed as it was, and the same
    // tab's 2xx 9 s after that judged it sent. Its event was never sent again (since the mark is written shorter, it
    // lands in a full localStorage: this path is for a storage that refuses any write, a unit test's)
    rule: 'every event arrives',
    file: 'delivery/sent-marks.ts',
    find: 'if (own || group[3]) (unwritten.push(group), own || shadowed.add(key!));',
    replace: 'if (own) unwritten.push(group);',
  },
  {
    name: "the sender's timer keeps its first wait",
    // scripts/chaos.mjs seed 207 (real Chromium): a tab's events tracked while a closed tab's beacon awaited its verdict
    // waited for that verdict's 10 s, and a new page's flush() with them; the simulator checks no latency: a unit test
    rule: 'a flush() resolves in time',
    file: 'delivery/cycle.ts',
    find: 'void ((!timer || Date.now() + ms < due) &&',
    replace: 'void (!timer &&',
  },
  {
    name: "a refutation's mark is as long as the hand-over",
    // seed 53650: localStorage full, a refutation held in the judging page's memory alone went with it (a reload 42 s
    // later, the network down all along); the next page judged the hand-over by the site's last failure, 42 s after
    // it left: sent. Its event was never sent
    rule: 'every event arrives',
    file: 'delivery/sent-marks.ts',
    find: '[g[0], [], 0] : [0, g[1], 0, 1], g);',
    replace: '[g[0], [], 0] : [g[0], g[1], g[2], 1], g);',
  },
];
