/**
 * The session's store as the effects use it (effects.ts): read again after a write and on a return from the
 * back/forward cache, heeded for a withdrawal another tab stored, and erased with everything else of Stint's.
 */
import { within } from '../delivery/bounded';
import { eraseMarks } from '../delivery/sent-marks';
import { eraseOutcome } from '../delivery/outcome';
import { markWithdrawn, readWithdrawn } from '../consent/withdrawn';
import { deleteStintDb } from '../ground/db';
import { guard } from '../ground/log';
import { handedOver, leaveTab } from '../lifecycle/tab-mark';
import { copyName, sendCopy } from '../session/copy';
import { readCookies } from '../session/stores/cookie';
import { localMirror } from '../session/stores/local';
import { eraseSession } from '../session/stores/chain';
import type { Shell } from './shell';

/** How long a page back from the back/forward cache waits for its store before it goes on with what it knows. */
const REREAD_WAIT = 1000;

/**
 * A tab reads the store again this long after it wrote it (once per burst of writes), and writes back what it lacks:
 * another tab's write, made as this one's, may land after it with an older count, and that tab's next input count
 * from it (test/sim seed 27538: a new tab wrote eventIndex 20, a tab that had read 17 15 ms before wrote 18 over it,
 * and took 19 and 20 again 50 and 90 ms later, its message late).
 */
const VERIFY = 40;
/**
 * And again this long after its last write: a write of another tab may reach the cookie jar hundreds of ms after it
 * was made (a busy browser's message between processes), later than the first read (test/sim seed 41929: a crashing
 * tab's write of 8 landed 41 ms after a tab's 10, 1 ms after its read; a page 2 s later took 9 and 10 again).
 */
const VERIFY_LATE = 400;

/**
 * A withdrawal another tab stored since this page's grant, before a request or a beacon: its message may not have come
 * (a BroadcastChannel message may come hundreds of ms late in a busy browser; test/sim seeds 18728 and 25477, 777 and
 * 804 ms, a request and a beacon at a reload meanwhile identified the visitor). Told only when it applies: an input
 * reads the store first.
 */
export function heedWithdrawal(shell: Shell) {
  const when = readWithdrawn();
  if (when > (shell.model.grantedAt ?? Infinity)) shell.now('withdrawal', when);
}

/** The store read again now: what another page wrote since this one last read or wrote it, merged. */
export function readAgain(shell: Shell) {
  const value = shell.keeper && shell.keeper.read(Date.now(), true);
  if (value) shell.now('stored', value);
}

/**
 * Nothing of Stint stays on the device, in any tab: the session (the cookie in every domain variant, or the custom
 * store, and the mirror), the server's copy (where the page sees one), the whole database (the outbox, other tabs'
 * too), the sent marks, the tab's id.
 */
export function eraseDevice({ config }: Shell, withdrawn?: number, found?: boolean) {
  // (none, leaving anonymous, which stored nothing: the device is as the grant's tab made it. test/sim seed 7162, an
  // anonymous tab that heard the grant deleted the database the granting tab had just written its start in)
  if (withdrawn === undefined) return;
  // (a refusal marks a grant it did not hear only where the device holds a session: before any, it stores nothing)
  if (found && !readCookies(config.cookie.name || '_stint').length && !localMirror()?.get()) withdrawn = 0;
  eraseSession(config.store, config.cookie);
  if (config.serverCookie && readCookies(copyName(config.cookie)).length) sendCopy(config.serverCookie, 'DELETE');
  deleteStintDb();
  eraseMarks();
  eraseOutcome();
  leaveTab(null);
  if (withdrawn) markWithdrawn(withdrawn);
}

/** The store read again (a page back from the back/forward cache), answered by `reread` within `REREAD_WAIT`. */
export function reread(shell: Shell, handOff: () => string) {
  // (the item read again: Chromium and Firefox may run the left page's pagehide after this pageshow)
  const answer = (value: unknown) =>
    guard(() => {
      // (the mirror too: a page that left before its store answered went on in memory, beside it. test/sim regression)
      shell.now('reread', value, handedOver() || handOff(), shell.keeper?.mirrored());
    });
  within(
    Promise.resolve().then(() => shell.keeper?.reread()),
    REREAD_WAIT,
  ).then(answer, () => answer(null));
}

/**
 * Reads the store again `VERIFY` after a write (once for a burst of them), and `VERIFY_LATE` after the burst's last:
 * what to call at each write.
 */
export function verifyAfter(shell: Shell): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let late: typeof timer;
  const again = () => guard(() => readAgain(shell));
  shell.unwatch.push(() => (clearTimeout(timer), clearTimeout(late)));
  return () => {
    timer ??= setTimeout(() => ((timer = undefined), again()), VERIFY);
    (clearTimeout(late), (late = setTimeout(again, VERIFY_LATE)));
  };
}
