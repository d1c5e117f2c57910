/**
 * Whose turn it is to send, among the tabs that share the outbox: one sender at a time, so that a
 * failing collector sees the site's backoff rather than one per tab. The turn is a record in Stint's
 * database (`turn:<tab>`), claimed in one transaction when no other tab holds it. Not a Web Lock:
 * Firefox keeps a page that holds a lock when a navigation starts out of the back/forward cache
 * (e2e/bfcache.spec.ts), and a send is often in flight when the visitor follows a link.
 *
 * A holder that crashed, or whose page is in the back/forward cache, cannot give the turn back: it is
 * taken from a holder that does not answer a roll call (`Tabs._alive`), or that has held it longer
 * than `HOLD`. A database that does not answer in time is no reason to stop sending: the sender then
 * goes on without the turn (and gives back a claim that landed late with the rest).
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';
import { within } from '../bounded';
import type { Tabs } from '../tabs';

export interface Turn {
  /** Resolves whether this tab may send now. */
  _take(): Promise<boolean>;
  /** Gives the turn back, if this tab took it. */
  _give(): void;
}

/** A holder of the turn: its tab, and since when (ms). */
type Holder = { t: string; at: number };

const PREFIX = 'turn:';
/** A turn held longer than this is taken even from a tab that answers (it is stuck). */
const HOLD = 60_000;
const CLAIM_WAIT = 2000;

export function sendTurn(db: UseStore, tabs: Tabs): Turn {
  const me = tabs._id;
  let held = false;
  /** One transaction: the holders `gone` leave; the turn is this tab's if no other holds it. Resolves the others. */
  const claim = (gone: Holder[]) =>
    within(
      db('readwrite', (store) => {
        for (const { t } of gone) store.delete(PREFIX + t);
        const read = store.getAll(IDBKeyRange.bound(PREFIX, PREFIX + '~'));
        const others = () => (read.result as Holder[]).filter((holder) => holder.t !== me);
        read.onsuccess = () => void (others().length || store.put({ t: me, at: Date.now() } satisfies Holder, PREFIX + me));
        return promisifyRequest(store.transaction).then(others);
      }),
      CLAIM_WAIT,
    );
  return {
    async _take() {
      try {
        let others = await claim([]);
        if (others.length) {
          const alive = await tabs._alive(others.map((holder) => holder.t));
          const gone = others.filter((holder) => !alive?.has(holder.t) || Date.now() - holder.at > HOLD);
          if (gone.length === others.length) others = await claim(gone);
        }
        return (held = !others.length);
      } catch {
        return (held = true);
      }
    },
    _give() {
      if (held) db('readwrite', (store) => (store.delete(PREFIX + me), promisifyRequest(store.transaction))).catch(() => {});
      held = false;
    },
  };
}
