/* Storelift loader: the one script the theme's app embed puts on every storefront page.
 *
 * Budget: 1,024 bytes gzipped once built (tests/widgets/test_loader.py), and together with
 * blocks.js 1,280 bytes: every shopper downloads it on every page, so it does only what must
 * happen on every page, and shares its sending code with blocks.js through `storelift._`.
 *
 * It reads its configuration from the data- attributes of its own <script> tag
 * (extensions/storelift-theme/blocks/loader.liquid, documented in widgets/README.md):
 *   data-p  app proxy path ("/apps/storelift"): every call is first-party and cookie-free
 *   data-w  URL of the capture widget, loaded only when the server says this visitor may see it
 *   data-t  the page's event (product_view, collection_view, search) and data-i its subject
 *   data-k  the cart token, which joins this visitor to checkouts and orders from webhooks
 *
 * What it keeps in localStorage (nothing before the config allows it, see mayStore):
 *   sl_v  visitor id      sl_s  session: "id pages-viewed last-activity added-to-cart"
 *   sl_c  consent given
 */
((win, doc, nav) => {
  // Before the loader runs, `window.storelift` may be an array of queued calls; replayed below.
  let queued = win.storelift;
  if (queued?.v) return; // the loader is on the page twice: the first one is in charge

  let attributes = doc.currentScript.dataset;
  let proxy = attributes.p;
  let now = Date.now();
  let gpc = nav.globalPrivacyControl;
  let ignore = () => {};
  let pending = []; // events not sent yet: [type, data]
  let listeners = {}; // storelift.on(...) handlers by widget event name
  let config; // the server's answer to /config, once it arrived
  let flushTimer;

  // localStorage["sl_" + key], read (no value) or written; storage may be off: then nothing.
  let stored = (key, value) => {
    try {
      return value ? (localStorage["sl_" + key] = value) : localStorage["sl_" + key];
    } catch (e) {}
  };
  let visitor = stored("v") || crypto.randomUUID();
  let session = (stored("s") || "").split(" ");

  // Every POST to the proxy carries who is asking and the flags the server's bot-and-consent
  // gate decides on. Keepalive: a batch sent as the page unloads (or a block click that
  // navigates) still arrives. text/plain (fetch's default for a string): no CORS preflight.
  let send = (path, body) =>
    fetch(proxy + path, {
      method: "POST",
      keepalive: true,
      body: JSON.stringify({ v: visitor, c: stored("c"), g: gpc, w: nav.webdriver, ...body }),
    }).catch(ignore);

  // Consent mode: nothing is kept or sent before consent(). Global Privacy Control: nothing
  // unless the shopper explicitly consented. Until the config arrives: not yet.
  let mayStore = () => config && (stored("c") || (!config.cm && !gpc));
  let keep = () => mayStore() && (stored("v", visitor), stored("s", session.join(" ")));

  let flush = () =>
    pending.length &&
    mayStore() &&
    send("/events", { s: session[0], p: location.pathname + location.search, k: attributes.k, e: pending.splice(0, 50) });

  // Batch events: send 2 s after the last one, at once on add to cart.
  let track = (type, data) => {
    pending.push([type, data]); // no data: the server stores {}
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, 2e3);
    if (type == "add_to_cart") {
      session[3] = 1;
      keep();
      flush();
    }
  };

  // identify() calls are chained before the config request, so the decision knows the person.
  let identified = Promise.resolve();
  // Shared with capture.js and blocks.js (not a public API): x, the session, and c, the config,
  // are added below.
  let shared = {
    V: visitor,
    P: proxy,
    t: track,
    J: send,
    e: (name, data) => listeners[name]?.map((handler) => setTimeout(handler, 0, data)),
  };

  let api = {
    v: 1,
    track,
    consent: () => {
      stored("c", 1);
      keep();
      flush();
    },
    identify: (email) => {
      identified = identified.then(() => send("/identify", { e: email }));
    },
    on: (name, handler) => (listeners[name] ||= []).push(handler),
    push: ([method, ...args]) => api[method]?.(...args),
    _: shared,
  };

  // A new session after 30 minutes idle (or none yet: NaN); count this page and note the time.
  if (!(now - session[2] < 18e5)) session = [crypto.randomUUID(), 0];
  session[1]++;
  session[2] = now;
  shared.x = session;
  win.storelift = api;
  (queued || []).map(api.push);
  shared.e("ready"); // blocks.js waits for this

  track("page_view");
  // The page's subject: a product id, collection handle or search terms; null when the page has none.
  if (attributes.t) track(attributes.t, { i: attributes.i || null });
  doc.addEventListener("submit", (event) => /\/cart\/add/.test(event.target.action) && track("add_to_cart"), true);
  doc.addEventListener("visibilitychange", () => doc.hidden && flush());

  // The config and this visitor's decision, in one cacheable answer (ETag: repeat views get a 304).
  identified
    .then(() => fetch(proxy + "/config?v=" + visitor + "&d=" + (win.innerWidth < 768 ? "m" : "d")))
    .then((response) => response.json())
    .then((answer) => {
      shared.c = config = answer;
      keep();
      flush();
      if (answer.show && attributes.w) {
        let script = doc.createElement("script");
        script.src = attributes.w;
        doc.head.append(script);
      }
    })
    .catch(ignore);
})(window, document, navigator);
