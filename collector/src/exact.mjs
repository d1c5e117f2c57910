/**
 * Each event's properties as the JSON text that was sent. JSON.parse reads every number as a double, which changes a
 * whole number past 2^53 (9007199254740993 becomes ...992), one past a double's range (1e400 becomes Infinity, which
 * JSON.stringify writes as null), a decimal of more digits than a double holds, and -0; and JSON.stringify writes some
 * numbers otherwise than sent (1.50 as 1.5, 1E2 as 100, 0.0000001 as 1e-7). The properties are the app's own: the
 * collector keeps each number as written rather than refuse the batch, which Stint would drop (issue 66). Their text
 * is taken from the body only when one of its numbers is at risk: JSON.stringify writes a number of 15 digits at most,
 * with no exponent, no trailing zero after its point and not under 1e-6, as sent, and reads it as the same value (a
 * double holds 15 significant digits exactly: C's DBL_DIG).
 */

/**
 * A number JSON.stringify might not write as sent, where a value starts (after `:`, `,` or `[`): 16 digits or more (a
 * point among them), an exponent, -0, a trailing zero after the point, or under 1e-6. (A string may hold the same
 * characters: the text is then taken for nothing, as it is.)
 */
const AT_RISK = /[:,[]\s*(?:-?\d(?:\.?\d){15}|-?\d[\d.]*[eE]|-0[\s,\]}]|-?\d+\.\d*0[\s,\]}]|-?0\.0{6})/;

/** What gives a JSON text its shape: strings (read whole, so that none of theirs counts), brackets, commas, colons. */
const TOKEN = /"(?:[^"\\]|\\.)*"|[[\]{},:]/g;

/** A JSON escape of half a surrogate pair: only then can a parsed string hold one (JSON.stringify writes them so). */
export const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The text of `events[i][2]` for each event of `text`, an envelope that JSON.parse has read and the schema taken (so
 * the top object's `events` is an array of arrays; the last `events`, as JSON.parse reads duplicate keys).
 * @param {string} text
 * @returns {string[]}
 */
function propertiesTexts(text) {
  let texts = [];
  let depth = 0;
  let name = '';
  let key = '';
  let inEvents = false;
  let member = 0;
  let start = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const [token] = m;
    if (token[0] === '"') {
      if (depth === 1) name = token;
    } else if (token === ':') {
      if (depth === 1) key = JSON.parse(name);
    } else if (token === '[' || token === '{') {
      depth++;
      if (depth === 2 && token === '[' && key === 'events') [texts, inEvents] = [[], true];
      if (depth === 3 && inEvents) member = 0;
    } else if (token === ',' && depth === 3 && inEvents) {
      member++;
      if (member === 2) start = m.index + 1;
      if (member === 3) texts.push(text.slice(start, m.index).trim());
    } else if (token === ']' || token === '}') {
      if (depth === 3 && inEvents && member === 2) texts.push(text.slice(start, m.index).trim());
      if (depth === 2) inEvents = false;
      depth--;
    }
  }
  return texts;
}

/** A JSON text whose strings are well-formed (half a surrogate pair becomes U+FFFD, as in read.mjs's `wellFormed`). */
const wellFormedText = (json) =>
  SURROGATE_ESCAPE.test(json) ? json.replace(TOKEN, (t) => (SURROGATE_ESCAPE.test(t) ? wellFormedString(t) : t)) : json;
/** A JSON string token, well-formed. */
const wellFormedString = (token) => JSON.stringify(JSON.parse(token).toWellFormed());

/**
 * The JSON text to store for each event's properties: as sent when a number in the body is at risk, else the parsed
 * value written again (the same text for what Stint sends, and no second reading of the body).
 * @param {string} text the body
 * @param {{ properties: object }[]} events as expandEnvelope gave them, the properties parsed
 * @returns {string[]}
 */
export function propertiesAsSent(text, events) {
  if (!AT_RISK.test(text)) return events.map((event) => JSON.stringify(event.properties));
  const texts = propertiesTexts(text).map(wellFormedText);
  if (texts.length !== events.length) throw new Error(`${texts.length} properties read for ${events.length} events`);
  return texts;
}
