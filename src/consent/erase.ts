/** A consent withdrawn: nothing of Stint stays on the device, in any tab. */
import type { Config } from '../config';
import { eraseMarks } from '../delivery/sent-marks';
import { leaveTab } from '../lifecycle/tab-mark';
import { cookieStore } from '../session/stores/cookie';
import { deleteStintDb } from '../session/stores/db';
import { eraseMirror } from '../session/stores/local';

/** Every domain variant of the cookie (or the custom store), the whole database (outbox, other tabs' too), the mirror, the sent marks, the tab's id. */
export function erase(config: Config): void {
  const custom = config.store;
  if (custom) Promise.resolve().then(() => custom.delete()).catch(() => {});
  else cookieStore(config.cookie).delete();
  deleteStintDb();
  eraseMirror();
  eraseMarks();
  leaveTab(null);
}
