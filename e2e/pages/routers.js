// Three small history routers that touch `history` the way the real ones do, for e2e/history.spec.ts.
// Each renders the route into #view and sets document.title when its library would:
//
// - react: React Router 6/7's BrowserRouter (the `history` package's createBrowserHistory). Start:
//   replaceState({...state, idx: 0}) when the entry has no index; navigate: pushState({usr, key, idx}),
//   then React renders in a later task (its scheduler posts a message) and an effect sets the title;
//   back/forward: a popstate listener.
// - next: Next.js's App Router (app-router.tsx). On mount it replaces history.pushState/replaceState with
//   its own functions, which call the ones it found (bound), and replaceState({__NA, tree}) the entry;
//   navigate: the commit calls window.history.pushState({__NA, tree}); the title comes from streamed
//   metadata, in a later task; back/forward: popstate, the tree from the state.
// - vue: Vue Router 4's createWebHistory. Start: replaceState({back, current, forward, position, replaced,
//   scroll}); navigate: replaceState of the current entry with forward and scroll, then pushState of the
//   new one; afterEach sets the title; back/forward: popstate, reading history.state.
(() => {
  const TITLES = { '/e2e/spa.html': 'Home', '/e2e/spa/products': 'Products', '/e2e/spa/products/42': 'Product 42', '/e2e/spa/about': 'About' };
  const titleOf = (url) => {
    const { pathname, searchParams } = new URL(url, location.href);
    return `${TITLES[pathname] || 'Not found'}${searchParams.get('tab') ? ' ' + searchParams.get('tab') : ''} · Shop`;
  };
  const render = () => {
    document.getElementById('view').textContent = titleOf(location.href);
    window.__renders = (window.__renders || 0) + 1;
  };
  const path = () => location.pathname + location.search + location.hash;
  const later = (fn) => {
    // React's scheduler runs its work in a task posted through a MessageChannel.
    const channel = new MessageChannel();
    channel.port1.onmessage = fn;
    channel.port2.postMessage(null);
  };

  function react() {
    let idx = history.state?.idx;
    if (idx == null) history.replaceState({ ...history.state, idx: (idx = 0) }, '');
    const commit = () => {
      render();
      document.title = titleOf(location.href); // useEffect(() => { document.title = ... })
    };
    addEventListener('popstate', () => {
      idx = history.state?.idx ?? 0;
      later(commit);
    });
    commit();
    return {
      navigate(to, { replace } = {}) {
        const state = { usr: null, key: Math.random().toString(36).slice(2, 10), idx: replace ? idx : ++idx };
        history[replace ? 'replaceState' : 'pushState'](state, '', to);
        later(commit);
      },
    };
  }

  function next() {
    const tree = () => ['', { children: [location.pathname, {}] }];
    // app-router.tsx: "Patch pushState and replaceState to keep the Next.js internal state in sync".
    const originalPushState = window.history.pushState.bind(window.history);
    const originalReplaceState = window.history.replaceState.bind(window.history);
    const patched = (original) =>
      function (data, unused, url) {
        window.__next.calls++;
        if (data?.__NA || data?._N) return original(data, unused, url);
        return original({ ...data, __NA: true, __PRIVATE_NEXTJS_INTERNALS_TREE: tree() }, unused, url);
      };
    window.history.pushState = patched(originalPushState);
    window.history.replaceState = patched(originalReplaceState);
    window.__next = { calls: 0, pushState: window.history.pushState, replaceState: window.history.replaceState };
    // The route's <title> comes in a later task (Next.js's streamed metadata: a Suspense boundary, `Next.Metadata`).
    const metadata = () => setTimeout(() => (document.title = titleOf(location.href)));
    window.history.replaceState({ __NA: true, __PRIVATE_NEXTJS_INTERNALS_TREE: tree() }, '', location.href);
    addEventListener('popstate', (e) => {
      if (!e.state?.__NA) return;
      render();
      metadata();
    });
    render();
    document.title = titleOf(location.href);
    return {
      navigate(to, { replace } = {}) {
        // The commit's HistoryUpdater (useInsertionEffect) writes the entry; the page renders; metadata streams in.
        window.history[replace ? 'replaceState' : 'pushState']({ __NA: true, __PRIVATE_NEXTJS_INTERNALS_TREE: tree() }, '', to);
        render();
        metadata();
      },
    };
  }

  function vue() {
    const scroll = () => ({ left: scrollX, top: scrollY });
    const build = (back, current, forward, replaced = false) => ({ back, current, forward, position: history.length - 1, replaced, scroll: null });
    let current = path();
    history.replaceState({ ...build(null, current, null, true), ...history.state }, '', location.href);
    const afterEach = () => (document.title = titleOf(location.href));
    addEventListener('popstate', () => {
      current = history.state?.current ?? path();
      render();
      afterEach();
    });
    render();
    afterEach();
    return {
      navigate(to, { replace } = {}) {
        if (replace) {
          history.replaceState({ ...history.state, ...build(history.state?.back ?? null, to, history.state?.forward ?? null, true) }, '', to);
        } else {
          const state = { ...history.state, forward: to, scroll: scroll() };
          history.replaceState(state, '', current);
          history.pushState({ ...build(current, to, null), position: state.position + 1 }, '', to);
        }
        current = to;
        render();
        afterEach();
      },
    };
  }

  /** Installs the router named `name` and routes clicks on a[data-route] through it (a <Link>). */
  window.installRouter = (name) => {
    const router = { react, next, vue }[name]();
    window.router = router;
    document.addEventListener('click', (e) => {
      const a = e.target.closest?.('a[data-route]');
      if (!a) return;
      e.preventDefault();
      router.navigate(a.getAttribute('href'));
    });
  };
})();
