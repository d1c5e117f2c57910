/**
 * What the collector stores, in DuckDB, shaped as the wire is (docs/pipelines.md, "The native format"): what a batch's
 * events share is kept once, in `contexts` (one row per context of a batch that stored an event), each event's own
 * fields in `event_rows` (each `eventId` once), and what a batch says of itself in `batches`. The `events` view joins
 * them back into whole events, one column per field; `sessions` reads them per session. Keeping the shared context once
 * is what makes the store fast: a row of `event_rows` is a tenth of a whole event, which DuckDB parses, writes to its
 * log at the commit and checkpoints (collector/bench.mjs).
 *
 * Rows travel to DuckDB as lines of JSON that it reads itself (`from_json`), one statement per table and group commit,
 * parsed off Node's thread. Times travel as ms since the epoch and become TIMESTAMPTZ by `make_timestamptz`, which,
 * unlike a cast, ignores the session's time zone. Ids are DuckDB's UUID type: 16 bytes, where the primary key's index
 * of 36-character text made every checkpoint three times slower.
 */

/**
 * A batch as the store takes it: what the envelope says of itself, when it came, its events' canonical ids (for the
 * group's own duplicates) and rows, and its contexts' rows.
 * @typedef {{ id: string, receivedAt: number, sentAt: number, appId: string, appVersion: string | null,
 *   sampleRate: number, dropped: number, count: number, ids: string[], events: string,
 *   contexts: { context: number, line: string }[] }} Batch
 */

/** [column, SQL type, the type of its JSON when it is not the SQL type] */
const EVENT_COLUMNS = [
  ['event_id', 'UUID PRIMARY KEY'],
  ['name', 'VARCHAR NOT NULL'],
  ['timestamp', 'TIMESTAMPTZ NOT NULL', 'BIGINT'],
  // (its JSON text travels as a string, which DuckDB stores as it is: read as JSON, it would write its numbers again)
  ['properties', 'JSON', 'VARCHAR'],
  ['event_index', 'BIGINT'],
  ['visibility', 'VARCHAR'],
  ['batch_id', 'UUID NOT NULL'],
  ['context', 'INTEGER NOT NULL'],
];

const CONTEXT_COLUMNS = [
  ['batch_id', 'UUID NOT NULL'],
  ['context', 'INTEGER NOT NULL'],
  ['received_at', 'TIMESTAMPTZ NOT NULL', 'BIGINT'],
  ['app_id', 'VARCHAR NOT NULL'],
  ['app_version', 'VARCHAR'],
  ['sample_rate', 'DOUBLE NOT NULL'],
  ['session_id', 'UUID'],
  ['session_index', 'BIGINT'],
  ['previous_session_id', 'UUID'],
  ['first_event_id', 'UUID'],
  ['first_event_timestamp', 'TIMESTAMPTZ', 'BIGINT'],
  ['storage_mechanism', 'VARCHAR'],
  ['device_id', 'UUID'],
  ['user_id', 'VARCHAR'],
  ['session_attributes', 'JSON'],
  ['page_url', 'VARCHAR'],
  ['page_path', 'VARCHAR'],
  ['page_referrer', 'VARCHAR'],
  ['page_title', 'VARCHAR'],
  ['page_view_id', 'UUID'],
  ['tab_id', 'VARCHAR'],
  ['os_name', 'VARCHAR'],
  ['os_version', 'VARCHAR'],
  ['browser_name', 'VARCHAR'],
  ['browser_version', 'VARCHAR'],
  ['language', 'VARCHAR'],
  ['bot', 'BOOLEAN'],
  ['user_agent', 'VARCHAR'],
  ['screen_resolution', 'VARCHAR'],
  ['color_depth', 'BIGINT'],
  ['orientation', 'VARCHAR'],
  ['touch', 'BOOLEAN'],
  ['utm_source', 'VARCHAR'],
  ['utm_medium', 'VARCHAR'],
  ['utm_campaign', 'VARCHAR'],
  ['utm_term', 'VARCHAR'],
  ['utm_content', 'VARCHAR'],
  ['time_zone', 'VARCHAR'],
  ['weekday', 'VARCHAR'],
];

const BATCH_COLUMNS = [
  ['batch_id', 'UUID NOT NULL'],
  ['received_at', 'TIMESTAMPTZ NOT NULL', 'BIGINT'],
  ['sent_at', 'TIMESTAMPTZ', 'BIGINT'],
  ['app_id', 'VARCHAR NOT NULL'],
  ['app_version', 'VARCHAR'],
  ['sample_rate', 'DOUBLE NOT NULL'],
  ['dropped', 'BIGINT NOT NULL'],
  ['events', 'BIGINT NOT NULL'],
  ['stored', 'BIGINT NOT NULL'],
];

/** A UUID as DuckDB reads it: the schema's format also allows `urn:uuid:` before it (and either case, which the type
 * folds: a UUID is one value whatever its case, RFC 9562). */
export const uuid = (text) =>
  text === null ? null : (text.length === 36 ? text : text.replace(/^urn:uuid:/i, '')).toLowerCase();

/**
 * An event's own row. `c`: its context's index in the batch; `time`: its timestamp in ms.
 * @param {any} event a whole event, as `expandEnvelope` gives it (schemas/envelope.json `definitions/wholeEvent`)
 * @param {string} eventId its id, as `uuid` makes it
 * @param {string} batchId
 * @param {number} c
 * @param {number} time
 * @param {string} properties its properties' JSON text (exact.mjs)
 */
export const eventRow = (event, eventId, batchId, c, time, properties) => ({
  event_id: eventId,
  name: event.name,
  timestamp: time,
  properties,
  event_index: event.session.eventIndex,
  visibility: event.context.visibility,
  batch_id: batchId,
  context: c,
});

/**
 * The row of the context an event was sent with: its session, user, page, device, user agent (read), UTM and time.
 * @param {any} event the first whole event of that context
 * @param {{ id: string, receivedAt: number, appId: string, appVersion: string | null, sampleRate: number }} batch
 * @param {number} c
 * @param {number | null} firstTime the session's first event's time in ms
 */
export function contextRow(event, batch, c, firstTime) {
  const { session, context } = event;
  const { page, device, os, app, utm } = context;
  return {
    batch_id: batch.id,
    context: c,
    received_at: batch.receivedAt,
    app_id: batch.appId,
    app_version: batch.appVersion,
    sample_rate: batch.sampleRate,
    session_id: uuid(session.sessionId),
    session_index: session.sessionIndex,
    previous_session_id: uuid(session.previousSessionId),
    first_event_id: uuid(session.firstEventId),
    first_event_timestamp: firstTime,
    storage_mechanism: session.storageMechanism,
    device_id: uuid(session.userId),
    user_id: event.user.id,
    session_attributes: event.sessionAttributes,
    page_url: page.url,
    page_path: page.path,
    page_referrer: page.referrer,
    page_title: page.title,
    page_view_id: uuid(page.viewId),
    tab_id: context.tabId,
    os_name: os.name,
    os_version: os.version,
    browser_name: app.name,
    browser_version: app.version,
    language: app.language,
    bot: app.bot,
    user_agent: context.userAgent,
    screen_resolution: device.screenResolution,
    color_depth: device.colorDepth,
    orientation: device.orientation,
    touch: device.touch,
    utm_source: utm.source,
    utm_medium: utm.medium,
    utm_campaign: utm.campaign,
    utm_term: utm.term,
    utm_content: utm.content,
    time_zone: context.time.timeZone,
    weekday: context.time.weekday,
  };
}

/** A batch's row. */
export const batchRow = (b, stored) => ({
  batch_id: b.id,
  received_at: b.receivedAt,
  sent_at: b.sentAt,
  app_id: b.appId,
  app_version: b.appVersion,
  sample_rate: b.sampleRate,
  dropped: b.dropped,
  events: b.count,
  stored,
});

const sqlType = (type) => type.replace(/ (PRIMARY KEY|NOT NULL)$/, '');
const table = (name, columns) =>
  `CREATE TABLE IF NOT EXISTS ${name} (${columns.map(([column, type]) => `"${column}" ${type}`).join(', ')})`;

/** `INSERT INTO <table>` the rows of `$1`, lines of JSON. */
function insert(name, columns, ignore = '') {
  const shape = Object.fromEntries(columns.map(([column, type, wire]) => [column, wire || sqlType(type)]));
  const line = JSON.stringify(shape);
  const select = columns
    .map(([column, , wire]) => (wire === 'BIGINT' ? `make_timestamptz(r."${column}" * 1000)` : `r."${column}"`))
    .map((expression, i) => `${expression} AS "${columns[i][0]}"`)
    .join(', ');
  return `INSERT ${ignore}INTO ${name} BY NAME SELECT ${select}
FROM (SELECT from_json(line, '${line}') AS r FROM (SELECT unnest(string_split($1, chr(10))) AS line))`;
}

/** The group's events, when none of them is stored already (the primary key refuses the statement otherwise). */
export const INSERT_EVENTS = insert('event_rows', EVENT_COLUMNS);
/**
 * The group's events that are new: a resent batch, or the same event twice in one group, is stored once, its first
 * arrival kept. Slower than INSERT_EVENTS by far (DuckDB looks each key up before it inserts): for a group that has a
 * duplicate. RETURNING says which contexts of which batches stored an event.
 */
export const INSERT_NEW_EVENTS = `${insert('event_rows', EVENT_COLUMNS, 'OR IGNORE ')}
RETURNING batch_id::VARCHAR AS batch_id, context`;
export const INSERT_CONTEXTS = insert('contexts', CONTEXT_COLUMNS);
export const INSERT_BATCHES = insert('batches', BATCH_COLUMNS);

/** `events`: every event whole, one column per field of schemas/envelope.json's `wholeEvent`, and its batch's. */
const EVENTS_VIEW = `CREATE OR REPLACE VIEW events AS
SELECT e.event_id, e.name, e.timestamp, e.properties,
  c.session_id, c.session_index, e.event_index, c.previous_session_id, c.first_event_id, c.first_event_timestamp,
  c.storage_mechanism, c.device_id, c.user_id, c.session_attributes,
  c.page_url, c.page_path, c.page_referrer, c.page_title, c.page_view_id, e.visibility, c.tab_id,
  c.os_name, c.os_version, c.browser_name, c.browser_version, c.language, c.bot, c.user_agent,
  c.screen_resolution, c.color_depth, c.orientation, c.touch,
  c.utm_source, c.utm_medium, c.utm_campaign, c.utm_term, c.utm_content, c.time_zone, c.weekday,
  c.app_id, c.app_version, c.sample_rate, c.received_at, e.batch_id
FROM event_rows e JOIN contexts c USING (batch_id, context)`;

const cast = (expression) => `TRY_CAST(${expression} AS BIGINT)`;

/**
 * `sessions`: one row per session id, from its events as stored. Stint reports a session's end by `session_end` (its
 * `reason`, `duration_ms`, `engaged_ms` with engagement, `exit_page`: docs/sessions.md), so a session without one is
 * open (its end reason null) and its figures are those of its events so far. `engaged_ms` is null where engagement is
 * off; while a session is open it is the sum of its page views' `page_engagement` reports. TRY_CAST: an app's own event
 * that happens to bear one of these names cannot break the view.
 */
const SESSIONS_VIEW = `CREATE OR REPLACE VIEW sessions AS
SELECT
  session_id,
  any_value(app_id) AS app_id,
  arg_max(app_version, timestamp) FILTER (WHERE app_version IS NOT NULL) AS app_version,
  any_value(device_id) AS device_id,
  arg_max(user_id, timestamp) FILTER (WHERE user_id IS NOT NULL) AS user_id,
  min(session_index) AS session_index,
  any_value(previous_session_id) AS previous_session_id,
  any_value(properties->>'reason') FILTER (WHERE name = 'session_start') AS start_reason,
  coalesce(min(timestamp) FILTER (WHERE name = 'session_start'), min(timestamp)) AS started_at,
  max(timestamp) FILTER (WHERE name <> 'session_end') AS last_event_at,
  max(timestamp) FILTER (WHERE name = 'session_end') AS ended_at,
  coalesce(
    max(${cast(`properties->>'duration_ms'`)}) FILTER (WHERE name = 'session_end'),
    epoch_ms(max(timestamp) FILTER (WHERE name <> 'session_end'))
      - epoch_ms(coalesce(min(timestamp) FILTER (WHERE name = 'session_start'), min(timestamp)))
  ) AS duration_ms,
  any_value(properties->>'reason') FILTER (WHERE name = 'session_end') AS end_reason,
  count(*) AS events,
  count(*) FILTER (WHERE name = 'page_view') AS page_views,
  coalesce(
    max(${cast(`properties->>'engaged_ms'`)}) FILTER (WHERE name = 'session_end'),
    sum(${cast(`properties->>'engaged_ms'`)}) FILTER (WHERE name = 'page_engagement')
  ) AS engaged_ms,
  coalesce(
    any_value(properties->>'entry_page') FILTER (WHERE name = 'session_start'),
    arg_min(page_path, (timestamp, event_index))
  ) AS entry_page,
  coalesce(
    any_value(properties->>'exit_page') FILTER (WHERE name = 'session_end'),
    arg_max(page_path, (timestamp, event_index)) FILTER (WHERE name <> 'session_end')
  ) AS exit_page,
  min(sample_rate) AS sample_rate
FROM events
GROUP BY session_id`;

/**
 * The tables, made when missing, with the columns a newer collector added (`app_version`) added to an older file's,
 * and the views, made again at each start (a newer collector's).
 */
export const SCHEMA = [
  table('batches', BATCH_COLUMNS),
  table('contexts', CONTEXT_COLUMNS),
  table('event_rows', EVENT_COLUMNS),
  ...['batches', 'contexts'].map((name) => `ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS "app_version" VARCHAR`),
  EVENTS_VIEW,
  SESSIONS_VIEW,
];
