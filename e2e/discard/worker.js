// Called by e2e/cdp.ts in this worker (Runtime.evaluate; it stays attached, which keeps the worker running):
// discards the tab at `url` as Chrome does under memory pressure or after a long time in the background (no
// pagehide, no unload), then brings it to the front, where it reloads with `document.wasDiscarded`
// (https://developer.chrome.com/docs/extensions/reference/api/tabs#method-discard).
self.discardAndShow = async (url) => {
  const tab = (await chrome.tabs.query({})).find((t) => t.url === url);
  if (!tab) throw new Error(`no tab at ${url}`);
  const discarded = await chrome.tabs.discard(tab.id);
  if (!discarded || !discarded.discarded) throw new Error(`the tab at ${url} was not discarded`);
  await chrome.tabs.update(discarded.id, { active: true });
  return discarded.id;
};
