/**
 * Starting a browser or its driver. Under load one can fail to start (a WebKitWebDriver session that timed out
 * at start was seen on a 2-core machine): it is tried once more, and if that fails too, reported in one line,
 * what did not start and why, rather than the driver's stack or an error object's every field.
 */
export async function startTwice<T>(what: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (first) {
    console.error(`${what} did not start (${oneLine(first)}): trying once more`);
    try {
      return await start();
    } catch (second) {
      const error = new Error(`${what} did not start, twice: ${oneLine(second)}`);
      error.stack = `Error: ${error.message}`;
      throw error;
    }
  }
}

/** The first line of what was thrown (a DOMException's message too, without its constants). */
export function oneLine(e: unknown): string {
  let text: string;
  try {
    text = String((e as Error)?.message ?? e);
  } catch {
    text = typeof e;
  }
  const line = text.split('\n').find((l) => l.trim()) ?? text;
  return line.trim().slice(0, 300);
}
