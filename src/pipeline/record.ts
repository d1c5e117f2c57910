/**
 * The session stage, once storage has answered: each call meets the session rules (`session/rules`),
 * a session found over is reported by its `session_end`, and each event leaves as JSON for the
 * outbox, with the session of the moment it was tracked.
 */
import type { Config } from '../config';
import type { PageSnapshot } from '../context';
import type { Sender } from '../delivery/sender';
import { eventJson, type RawEvent, type Surroundings } from '../event';
import { warn } from '../log';
import { uuids } from '../session/ids';
import type { SessionKeeper } from '../session/keeper';
import { endReason, expire, onEvent, restart, type Ended, type Step } from '../session/rules';
import type { Attributes, SessionState } from '../session/state';

/** The page as it is now: for the `session_end` found by a call that is not an event. */
export interface Where {
  _page: PageSnapshot;
  _pageHidden(): boolean;
}

export class Recorder {
  /** The business user id of `identify`, for the device's first state. */
  _user: string | null = null;

  constructor(
    readonly _config: Config,
    readonly _keeper: SessionKeeper,
    readonly _sender: Sender,
    readonly _around: Surroundings,
    readonly _where: Where,
  ) {}

  /** Applies a rule step to the session, reporting the end of a session it found over. */
  _step(rule: (prev: SessionState | null) => Step | null, at: number): SessionState | null {
    const keeper = this._keeper;
    let prev = keeper._state;
    // About to start a new session: another tab may have kept this one alive since we last heard.
    if (prev && !prev.ended && endReason(prev, at, this._config)) {
      keeper._refresh();
      prev = keeper._state;
    }
    const step = rule(prev);
    if (!step) return prev;
    if (step.ended) this._reportEnd(step.ended);
    // The device's first state: stamp what this page knows about it.
    const state = prev ? step.state : { ...step.state, appVersion: this._config.appVersion, businessUserId: this._user };
    keeper._set(state);
    return state;
  }

  /** An event meets the session rules; `siteBackground` is the site's state from now on. */
  _record(raw: RawEvent, siteBackground: boolean): void {
    this._event(raw, this._step((prev) => onEvent(prev, raw.at, raw.id, siteBackground, raw.page.utm, this._config, uuids), raw.at)!);
  }

  /** Session attributes change (or `change` says why not, as a warning): in a live session, one that is over reported first. */
  _attributes(at: number, change: (attrs: Attributes) => Attributes | string, siteBackground: boolean): void {
    this._step((prev) => {
      const step = prev ? expire(prev, at, this._config) : restart(null, at, siteBackground, this._where._page.utm, uuids);
      const next = change(step.state.attributes);
      if (typeof next === 'string') warn(next);
      else step.state = { ...step.state, attributes: next, attributesAt: at };
      return step;
    }, at);
  }

  /** The event leaves as JSON, in `state`, the session after its step. */
  _event(raw: RawEvent, state: SessionState): void {
    // A store that failed has handed the session on: say where it lives now.
    this._around.mechanism = this._keeper._mechanism;
    const [body, ctx] = eventJson(raw, state, this._around);
    this._sender._add({ id: raw.id, at: raw.at, appId: this._config.appId, body, ctx });
  }

  /**
   * `session_end` for a session found over, stamped with its last activity, in that session. Its id is
   * derived from the session's, so that tabs finding the same end send one event (after de-duplication).
   */
  _reportEnd({ session, reason }: Ended): void {
    const props = {
      session_id: session.sessionId,
      reason,
      duration_ms: Math.max(0, session.lastEventAt - session.startedAt),
      event_count: session.eventIndex,
      attributes: session.attributes,
    };
    const raw: RawEvent = {
      id: uuids.derive(session.sessionId + '/end'),
      name: 'session_end',
      at: session.lastEventAt,
      props: JSON.stringify(props),
      page: this._where._page,
      pageHidden: this._where._pageHidden(),
    };
    this._event(raw, { ...session, eventIndex: session.eventIndex + 1 });
  }
}
