/** Stint's own envelope (schemas/envelope-1.json): `{"v":1,"appId":...,"sentAt":ISO,"dropped":n,"events":[...]}` */
import type { Format } from './format';

export const nativeFormat: Format = {
  path: '',
  item: (entry) => entry.body,
  body: (items, appId, dropped) =>
    `{"v":1,"appId":${JSON.stringify(appId)},"sentAt":"${new Date().toISOString()}","dropped":${dropped},"events":[${items}]}`,
};
