/**
 * Whose turn it is to send, among the tabs that share the outbox: one sender at a time, so that a
 * failing collector sees the site's backoff rather than one per tab. The turn is a record in Stint's
 * database (its `turn` store, one record per holder), claimed in one transaction when no other tab holds
 * it. Not a Web Lock: Firefox keeps a page that holds a lock out of its back/forward cache when a
 * navigation starts, even when pagehide releases it (seen in e2e/bfcache.spec.ts; what the spec leaves
 * open: https://github.com/w3c/web-locks/issues/81), and a send is often in flight when the visitor
 * follows a link.
 *
 * A holder that crashed, or whose page is in the back/forward cache, cannot give the turn back: it is
 * taken from a holder that does not answer a roll call (`Tabs.alive`), or that has held it longer
 * than `HOLD`. A database that does not answer in time is no reason to stop sending: the sender then
 * goes on without the turn (and gives back a claim that landed late with the rest).
 */
import { finished, onSuccess, type StintDb } from '../ground/db';
import type { Tabs } from '../session/tabs';
import { within } from './bounded';

export interface Turn {
  /** Resolves whether this tab may send now. */
  claim(): Promise<boolean>;
  /** Gives the turn back, if this tab took it. */
  give(): void;
}

/** A holder of the turn: its tab, and since when (ms). */
type Holder = { t: string; at: number };

/** A turn held longer than this is taken even from a tab that answers (it is stuck). */
const HOLD = 60_000;
const CLAIM_WAIT = 2000;

export function sendTurn(db: StintDb, tabs: Tabs): Turn {
  const me = tabs.id;
  let held = false;
  /** One transaction: the holders `gone` leave; the turn is this tab's if no other holds it. Resolves the others. */
  const claim = (gone: Holder[]) =>
    within(
      db.turn('readwrite', (store) => {
        for (const { t } of gone) store.delete(t);
        const read = store.getAll();
        const others = () => (read.result as Holder[]).filter((holder) => holder.t !== me);
        onSuccess(read, () => void (others().length || store.put({ t: me, at: Date.now() } satisfies Holder, me)));
        return finished(store.transaction).then(others);
      }),
      CLAIM_WAIT,
    );
  return {
    async claim() {
      try {
        let others = await claim([]);
        if (others.length) {
          const alive = await tabs.alive(others.map((holder) => holder.t));
          const gone = others.filter((holder) => !alive?.has(holder.t) || Date.now() - holder.at > HOLD);
          if (gone.length === others.length) others = await claim(gone);
        }
        return (held = !others.length);
      } catch {
        return (held = true);
      }
    },
    give() {
      if (held) db.turn('readwrite', (store) => (store.delete(me), finished(store.transaction))).catch(() => {});
      held = false;
    },
  };
}
