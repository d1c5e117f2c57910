// The GPP stub a site puts first in its head, as the GPP specification's CMP API 1.1 describes it ("Stub", and
// "How to use the __gppLocator frame": https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform/blob/main/Core/CMP%20API%20Specification.md).
// Until the CMP loads: `ping` answers with the stub's status (signal not ready), `addEventListener` keeps the
// listener in `events` (the CMP takes them over, with their ids), other commands wait in the queue that `__gpp()`
// returns (the CMP runs them). (The `events` command is what @iabgpp/cmpapi reads; the specification's own example stub
// has none: gpp-spec-stub.js.) The `__gppLocator` frame lets scripts in frames find this window, and a
// `__gppCall` message is answered with a `__gppReturn` one of the same `callId` (as text if it came as text).
(function () {
  if (typeof window.__gpp === 'function') return;
  const queue = [];
  const events = [];
  let lastId = 0;
  const ping = () => ({
    gppVersion: '1.1', cmpStatus: 'stub', cmpDisplayStatus: 'hidden', signalStatus: 'not ready', supportedAPIs: [],
    cmpId: 0, sectionList: [], applicableSections: [-1], gppString: '', parsedSections: {},
  });
  window.__gpp = function (command, callback, parameter) {
    if (!arguments.length) return queue;
    if (command === 'events') return events;
    if (command === 'ping') return callback && callback(ping(), true);
    if (command === 'addEventListener') {
      const id = ++lastId;
      events.push({ id, callback, parameter });
      return callback && callback({ eventName: 'listenerRegistered', listenerId: id, data: true, pingData: ping() }, true);
    }
    if (command === 'removeEventListener') {
      const at = events.findIndex((e) => e.id === parameter);
      if (at >= 0) events.splice(at, 1);
      return callback && callback({ eventName: 'listenerRemoved', listenerId: parameter, data: at >= 0, pingData: ping() }, true);
    }
    if (command === 'hasSection' || command === 'getSection' || command === 'getField') return callback && callback(null, false);
    queue.push([...arguments]);
  };
  const locator = () => {
    if (window.frames.__gppLocator) return;
    if (!document.body) return setTimeout(locator, 5);
    const frame = document.createElement('iframe');
    frame.style.display = 'none';
    frame.name = '__gppLocator';
    document.body.appendChild(frame);
  };
  locator();
  addEventListener('message', (event) => {
    const text = typeof event.data === 'string';
    let data = event.data;
    try {
      if (text) data = JSON.parse(data);
    } catch {
      return;
    }
    const call = data && data.__gppCall;
    if (!call) return;
    // (the CMP's __gpp once it has loaded, the stub's until then)
    window.__gpp(call.command, (returnValue, success) => {
      const answer = { __gppReturn: { returnValue, success, callId: call.callId } };
      event.source && event.source.postMessage(text ? JSON.stringify(answer) : answer, '*');
    }, call.parameter, call.version);
  });
})();
