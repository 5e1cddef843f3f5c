/* Storelift capture widget: teaser tab -> slide-in panel -> email form -> code.
 *
 * Lazy-loaded by loader.js only when the server's decision says this visitor may see it (suppression of
 * subscribers and known people, device, new/returning are decided there). Here: URL include/exclude, the
 * close frequency cap, the mobile-landing-from-search rule, and the triggers (delay, scroll depth, desktop
 * exit intent, pages viewed, add to cart).
 *
 * Rendered in a Shadow DOM under its own element, with `:host { all: initial }`, so theme CSS cannot reach
 * it and its CSS cannot reach the theme. Fixed position: it never shifts the page's layout (CLS 0).
 * Merchant text is set with textContent only: it is data, never HTML. Accessibility (WCAG 2.2 AA): a
 * labelled dialog, Esc closes, errors and success announced through live regions, contrast checked by the
 * admin when colours are saved. A trigger never takes the page from the shopper: a panel it opens is
 * announced politely and leaves focus where it was and the page usable; it becomes a modal dialog (focus
 * in it and trapped, the page behind it inert, focus returned on close) only when the shopper opens it or
 * moves into it. No trigger fires while the shopper is in a form field of the page (WCAG 2.2 SC 3.2.1 On
 * Focus, 2.4.3 Focus Order). The fixed teaser, and a trigger's panel the shopper has not moved into, never
 * hide what has focus (SC 2.4.11 Focus Not Obscured): the page keeps scroll padding for them, and they
 * step aside while the focused element is under them. The teaser's own dismiss button hides it for the
 * session and counts toward the close frequency cap. On a phone a trigger's bottom sheet takes at most a third
 * of the screen, its form compact (no body text, field and button in a row) to show whole; full once engaged.
 *
 * After the form: the code; or, with no code in the answer, the merchant's "pending" text (check your
 * inbox: the code is on its way, or the address was already subscribed from another browser, which the
 * server never tells apart), or the "redeemed" / "expired" text when the answer says the subscriber's code
 * is spent. Merchant texts arrive with {discount} filled in.
 *
 * Also usable without the loader for the admin's live preview: StoreliftCapture.preview(element, config,
 * "form" | "success" | "pending" | "redeemed" | "expired").
 */
(function (w, d) {
  "use strict";
  var SEARCH = /(^|\.)(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia)\./;
  var HEX = /^#[0-9a-f]{6}$/i;
  var DAY = 864e5;
  var uid = 0;

  function get(k) { try { return w.localStorage.getItem("sl_" + k); } catch (e) { return null; } }
  function put(k, v) { try { w.localStorage.setItem("sl_" + k, v); } catch (e) { /* storage off: no cap */ } }
  function sget(k) { try { return w.sessionStorage.getItem("sl_" + k); } catch (e) { return null; } }
  function sput(k, v) { try { w.sessionStorage.setItem("sl_" + k, v); } catch (e) { /* ignore */ } }

  function el(tag, attrs, text) {
    var node = d.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  function glob(pattern) {
    var rx = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
    return new RegExp("^" + rx + "$");
  }

  function matches(path, list) {
    for (var i = 0; i < (list || []).length; i++) if (glob(list[i]).test(path)) return true;
    return false;
  }

  function isMobile() { return w.innerWidth < 768; }

  var CSS =
    ":host{all:initial!important;display:block!important;position:fixed!important;inset:auto!important;" +
    "width:0!important;height:0!important;margin:0!important;padding:0!important;border:0!important;" +
    "z-index:2147483000!important;visibility:visible!important;opacity:1!important;transform:none!important}" +
    ":host::before,:host::after{content:none!important;display:none!important}" +
    ":host(.sl-inline){position:relative!important;width:auto!important;height:auto!important;z-index:auto!important}" +
    "*,*::before,*::after{box-sizing:border-box}" +
    "[hidden]{display:none!important}" +
    ".w{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:var(--t);" +
    "letter-spacing:normal;text-align:left;text-transform:none;-webkit-font-smoothing:antialiased}" +
    ".bar{position:fixed;bottom:16px;SIDE:16px;display:flex;align-items:center;gap:6px}" +
    ".aside{opacity:0;pointer-events:none}" +
    ".hide{width:36px;height:36px;border:0;border-radius:50%;padding:0;font-family:inherit;font-size:22px;line-height:1;" +
    "background:var(--a);color:var(--at);cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.2)}" +
    ".tab{margin:0;border:0;border-radius:999px;padding:12px 18px;" +
    "font-family:inherit;font-size:15px;font-weight:600;line-height:1.2;background:var(--a);color:var(--at);cursor:pointer;" +
    "box-shadow:0 4px 16px rgba(0,0,0,.2);min-height:44px}" +
    ".panel{position:fixed;bottom:16px;SIDE:16px;width:360px;max-width:calc(100vw - 32px);" +
    "max-height:calc(100vh - 32px);overflow:auto;margin:0;background:var(--b);color:var(--t);border-radius:14px;" +
    "padding:24px;box-shadow:0 12px 40px rgba(0,0,0,.28);transform:translateX(OFF);transition:transform .28s ease}" +
    ".panel.in{transform:none}" +
    ".inline .bar,.inline .panel{position:relative;inset:auto;transform:none;transition:none}" +
    ".inline .hide{display:none}" +
    ".inline .panel{margin-top:12px}" +
    "h2{font-family:inherit;font-size:20px;font-weight:700;line-height:1.25;margin:0 36px 8px 0;color:var(--t)}" +
    "p{margin:0 0 12px}" +
    ".x{position:absolute;top:10px;right:10px;width:36px;height:36px;border:0;border-radius:50%;" +
    "background:transparent;color:var(--t);font-family:inherit;font-size:26px;font-weight:400;line-height:1;cursor:pointer;padding:0}" +
    "label{display:block;font-weight:600;margin:0 0 6px}" +
    "input[type=email]{display:block;width:100%;font-family:inherit;font-size:16px;line-height:1.3;padding:11px 12px;" +
    "margin:0 0 6px;color:var(--t);background:var(--b);border:2px solid var(--t);border-radius:8px;min-height:44px}" +
    "input[aria-invalid=true]{border-color:#b42318}" +
    ".err{min-height:1.2em;margin:0 0 8px;font-weight:600;color:var(--t)}" +
    ".go,.copy{display:block;width:100%;border:0;border-radius:8px;padding:12px;font-family:inherit;" +
    "font-size:16px;font-weight:600;line-height:1.2;background:var(--a);color:var(--at);cursor:pointer;min-height:44px;margin:0 0 10px}" +
    ".go[disabled]{opacity:.7;cursor:progress}" +
    ".consent{font-size:12px;line-height:1.4;margin:6px 0 0}" +
    ".hp{position:absolute!important;left:-10000px!important;width:1px;height:1px;overflow:hidden}" +
    ".code{font:700 22px/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:1px;" +
    "padding:12px;border:2px dashed var(--t);border-radius:8px;text-align:center;margin:8px 0 12px;word-break:break-all}" +
    ".apply{display:block;text-align:center;color:var(--t);text-decoration:underline;font-weight:600;padding:8px}" +
    ".ends{font-size:13px;text-align:center}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    ":focus-visible{outline:3px solid var(--t);outline-offset:2px}" +
    ".tab:focus-visible,.hide:focus-visible{outline-color:var(--a);outline-offset:3px}" +
    "h2:focus{outline:none}" +
    "@media (max-width:767px){.panel{left:0;right:0;bottom:0;width:auto;max-width:none;max-height:60vh;" +
    "border-radius:14px 14px 0 0;transform:translateY(110%)}.bar{bottom:12px}" +  // not engaged: a third, form whole
    ".panel:not([aria-modal]){max-height:33vh;padding:14px 16px}.panel:not([aria-modal]) .body{display:none}" +
    ".panel:not([aria-modal]) form{display:grid;grid-template:'h h' 'l l' 'i g' 'e e' 'c c'/1fr fit-content(45%);gap:0 8px}" +
    ".panel:not([aria-modal]) h2{grid-area:h;font-size:18px;margin-bottom:10px}.panel:not([aria-modal]) label{grid-area:l;margin-bottom:4px}" +
    ".panel:not([aria-modal]) input{grid-area:i;min-width:0;margin:0}.panel:not([aria-modal]) .go{grid-area:g;margin:0}" +
    ".panel:not([aria-modal]) .err{grid-area:e;min-height:0;margin:0}.panel:not([aria-modal]) .consent{grid-area:c;margin:8px 0 0}}" +
    "@media (prefers-reduced-motion:reduce){.panel{transition:none}}";

  /* Build the widget inside `host` (an element we own). Returns its controller. */
  function build(host, cfg, opts) {
    var texts = cfg.texts || {}, colors = cfg.colors || {}, side = cfg.position === "left" ? "left" : "right";
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var n = ++uid;
    var style = el("style");
    style.textContent = CSS.replace(/SIDE/g, side).replace(/OFF/g, side === "left" ? "calc(-100% - 32px)" : "calc(100% + 32px)");
    var box = el("div", { "class": "w" + (opts.inline ? " inline" : "") });
    ["b:background", "t:text", "a:accent", "at:accent_text"].forEach(function (pair) {
      var parts = pair.split(":"), value = colors[parts[1]];
      if (HEX.test(value || "")) box.style.setProperty("--" + parts[0], value);
    });

    var bar = el("div", { "class": "bar" });
    var tab = el("button", { type: "button", "class": "tab", "aria-haspopup": "dialog", "aria-expanded": "false" }, texts.teaser);
    var hide = el("button", { type: "button", "class": "hide", "aria-label": "Hide this offer" }, "\u00d7");
    [tab, hide].forEach(function (c) { bar.appendChild(c); });
    var panel = el("div", { "class": "panel", role: "dialog", "aria-labelledby": "sl-h" + n, hidden: "" });
    var close = el("button", { type: "button", "class": "x", "aria-label": texts.close || "Close" }, "\u00d7");
    var status = el("p", { "class": "sr", role: "status", "aria-live": "polite" });

    var form = el("form", { novalidate: "" });
    var head = el("h2", { id: "sl-h" + n }, texts.headline);
    var body = el("p", { "class": "body" }, texts.body);
    var label = el("label", { "for": "sl-e" + n }, texts.email_label);
    var input = el("input", { id: "sl-e" + n, type: "email", name: "email", autocomplete: "email", inputmode: "email",
      required: "", spellcheck: "false", "aria-describedby": "sl-err" + n + " sl-c" + n });
    var err = el("p", { id: "sl-err" + n, "class": "err", role: "alert" });
    var hp = el("div", { "class": "hp", "aria-hidden": "true" });
    var hpInput = el("input", { type: "text", name: "sl_company", tabindex: "-1", autocomplete: "off" });
    hp.appendChild(hpInput);
    var go = el("button", { type: "submit", "class": "go" }, texts.button);
    var consent = el("p", { id: "sl-c" + n, "class": "consent" }, texts.consent);
    [head, body, label, input, err, hp, go, consent].forEach(function (c) { form.appendChild(c); });

    var done = el("div", { "class": "done", hidden: "" });
    var doneHead = el("h2", { tabindex: "-1" }, texts.success);
    var code = el("p", { "class": "code" });
    var copy = el("button", { type: "button", "class": "copy" }, "Copy code");
    var apply = el("a", { "class": "apply" }, "Apply the code to my cart");
    var ends = el("p", { "class": "ends" });
    [doneHead, code, copy, apply, ends].forEach(function (c) { done.appendChild(c); });

    [close, form, done, status].forEach(function (c) { panel.appendChild(c); });
    [bar, panel].forEach(function (c) { box.appendChild(c); });
    [style, box].forEach(function (c) { root.appendChild(c); });

    var api = { host: host, root: root, bar: bar, tab: tab, panel: panel, input: input, isOpen: false, modal: false, returnTo: null };
    var inerted = [];

    /* A modal panel: aria-modal, and every other child of <body> inert (restored when it ends). */
    function setModal(on) {
      if (on === api.modal) return;
      api.modal = on;
      if (on) inerted = Array.prototype.filter.call(d.body.children, function (c) { return c !== host && !c.inert; });
      on ? panel.setAttribute("aria-modal", "true") : panel.removeAttribute("aria-modal");
      inerted.forEach(function (c) { c.inert = on; });
    }

    function focusables() {
      return Array.prototype.filter.call(panel.querySelectorAll("button,a[href],input:not([tabindex='-1'])"), function (e) {
        return !e.disabled && e.offsetParent !== null;
      });
    }

    /* how: "teaser" when the shopper opened it (a modal dialog at once), else the trigger's name. */
    api.open = function (how) {
      if (api.isOpen) return;
      api.isOpen = true;
      panel.hidden = false;
      tab.setAttribute("aria-expanded", "true");
      // Next frame, so the slide-in transition starts from the off-screen position; a live region
      // announces only a change after it is rendered, so a trigger's panel is announced then too.
      w.requestAnimationFrame(function () { w.requestAnimationFrame(function () {
        panel.classList.add("in"); if (!api.modal) status.textContent = texts.headline; }); });
      if (how === "teaser") api.engage(true);
      if (opts.onOpen) opts.onOpen(how);
    };

    /* The shopper takes the open panel: it becomes modal; `move` puts focus in it (else it is there). */
    api.engage = function (move, from) {
      if (!api.isOpen || api.modal) return;
      var active = d.activeElement;
      api.returnTo = from || (active === host ? root.activeElement : active);
      setModal(true);
      if (move) (done.hidden ? input : doneHead).focus({ preventScroll: true });
    };

    api.close = function () {
      if (!api.isOpen) return;
      api.isOpen = false;
      panel.classList.remove("in");
      panel.hidden = true;
      tab.setAttribute("aria-expanded", "false");
      if (api.modal) {  // focus was in the panel: back where it came from (the page is no longer inert)
        setModal(false);
        var back = api.returnTo && api.returnTo.isConnected && api.returnTo !== d.body ? api.returnTo : tab;
        if (back && back.focus) back.focus({ preventScroll: true });
      }
      if (opts.onClose) opts.onClose();
    };

    api.success = function (result) {
      var c = result.code, head = c ? texts.success : texts[result.spent] || texts.pending;
      form.hidden = true;
      done.hidden = false;
      doneHead.textContent = head;
      code.hidden = copy.hidden = apply.hidden = !c;
      if (c) {
        code.textContent = c;
        apply.setAttribute("href", result.apply);
      }
      ends.textContent = c && result.ends ? "Valid until " + result.ends + "." : "";
      status.textContent = c ? head + ": " + c : head;
      if (api.isOpen) doneHead.focus({ preventScroll: true });
    };

    api.error = function (message) {
      err.textContent = message;
      input.setAttribute("aria-invalid", message ? "true" : "false");
      if (message) input.focus({ preventScroll: true });
    };

    tab.addEventListener("click", function () { !api.isOpen ? api.open("teaser") : api.modal ? api.close() : api.engage(true); });
    close.addEventListener("click", function () { api.close(); });
    hide.addEventListener("click", function () {  // a close (frequency cap, events), then gone
      if (api.isOpen) api.close(); else if (opts.onClose) opts.onClose();
      host.remove(); if (opts.onDismiss) opts.onDismiss();
    });
    panel.addEventListener("focusin", function (e) { api.engage(false, e.relatedTarget); });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); api.close(); return; }
      if (e.key !== "Tab") return;
      var list = focusables(), first = list[0], last = list[list.length - 1], current = root.activeElement;
      if (!list.length) return;
      if (e.shiftKey && (current === first || list.indexOf(current) < 0)) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && (current === last || list.indexOf(current) < 0)) { e.preventDefault(); first.focus(); }
    });
    copy.addEventListener("click", function () {
      var text = code.textContent;
      var done2 = function () { copy.textContent = "Copied"; status.textContent = "Code copied"; };
      if (w.navigator.clipboard && w.isSecureContext) w.navigator.clipboard.writeText(text).then(done2, function () {});
      else done2();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var value = input.value.trim();
      if (!value || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
        api.error("Enter a valid email address, like name@example.com.");
        return;
      }
      api.error("");
      if (!opts.submit) return;
      go.disabled = true;
      opts.submit(value, hpInput.value, function (message, result) {
        go.disabled = false;
        if (message) api.error(message); else api.success(result);
      });
    });
    return api;
  }

  /* The live storefront: targeting, caps, triggers, submit through the app proxy. */
  function start(L) {
    var answer = L.c || {}, cfg = answer.w, x = L.x || [], path = w.location.pathname;
    if (!cfg || get("d") || sget("g")) return;
    if (cfg.include && cfg.include.length && !matches(path, cfg.include)) return;
    if (matches(path, cfg.exclude)) return;
    var closed = +get("x") || 0;
    if (cfg.cap && closed && Date.now() - closed < cfg.cap * DAY) return;
    var pages = +x[1] || 1, atc = x[3] == 1;
    var fromSearch = SEARCH.test((d.referrer && new URL(d.referrer).hostname) || "");
    // A shopper who lands on a phone from a search engine sees nothing until they engage.
    if (isMobile() && fromSearch && pages < 2 && !atc) return;

    var host = d.createElement("storelift-capture");
    d.body.appendChild(host);
    var version = { v: cfg.v };
    var html = d.documentElement, padded = w.getComputedStyle(html).scrollPaddingBottom === "auto";
    // Scrolling to what gets focus keeps it above the teaser, or above a trigger's bottom sheet on a
    // phone while it is open (a theme's own scroll padding is kept).
    var pad = function (px) { if (padded) html.style.scrollPaddingBottom = px; };
    pad("72px");
    var widget = build(host, cfg, {
      onOpen: function (how) {
        if (how !== "teaser" && isMobile()) pad(widget.panel.offsetHeight + 16 + "px");
        w.setTimeout(aside, 350);  // where it stands once slid in (.28 s): over the focused element?
        L.t("widget_open", { v: cfg.v, how: how }); L.e("open", version);
      },
      onClose: function () { pad("72px"); put("x", Date.now()); L.t("widget_close", version); L.e("close", version); },
      onDismiss: function () {  // gone for the rest of this session
        sput("g", 1); pad("");
        d.removeEventListener("focusin", aside); w.removeEventListener("scroll", aside);
      },
      submit: function (email, honeypot, reply) {
        var tries = 0;
        var send = function () {
          w.fetch(L.P + "/subscribe", { method: "POST", body: JSON.stringify({
            v: L.V, s: x[0], e: email, hp: honeypot, p: path, w: w.navigator.webdriver }) })
            .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
            .then(function (res) {
              var status = res[0], j = res[1];
              if (status === 200 && j.ok) {
                if (j.pending && tries++ < 5) { w.setTimeout(send, 2000); if (tries === 1) reply("", j); return; }
                put("d", 1);
                L.t("widget_submit", version);
                L.e("submit", version);
                reply("", j);
              } else if (status === 422) reply(j.reason || "Enter a valid email address.");
              else if (status === 429) reply("Too many tries. Please wait a minute and try again.");
              else reply("Something went wrong. Please try again.");
            }, function () { reply("We could not reach the shop. Check your connection and try again."); });
        };
        send();
      }
    });
    L.t("widget_impression", version);

    // The teaser, and a panel open without the shopper in it, step aside (transparent, clicks pass
    // through) while the page's focused element is under them, and come back when focus moves on.
    // They stay focusable: Tab from the page's last element still reaches them, and they show again.
    function aside() {
      var a = d.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;  // a block's card
      var r = a && a.getRootNode() !== widget.root && a !== d.body && a.getBoundingClientRect();
      [widget.bar, widget.panel].forEach(function (fixed) {
        var t = fixed.getBoundingClientRect();  // where it stands: transparency does not move it
        fixed.classList.toggle("aside", !!r && r.bottom > t.top && r.top < t.bottom && r.right > t.left && r.left < t.right);
      });
    }
    d.addEventListener("focusin", aside);
    w.addEventListener("scroll", aside, { passive: true });

    var t = cfg.triggers || {}, fired = false, once = sget("o");
    function typing() {  // a form field of the page has focus
      var a = d.activeElement; return a && a !== host && (/^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) || a.isContentEditable);
    }
    function fire(how) {
      if (fired || widget.isOpen || once || !host.isConnected) return;
      // The shopper is filling in the page's form: wait until they leave the field.
      if (typing()) { d.addEventListener("focusout", function () { w.setTimeout(fire, 0, how); }, { once: true }); return; }
      fired = true;
      sput("o", 1);
      widget.open(how);
    }
    if (t.delay_seconds > 0) w.setTimeout(function () { fire("delay"); }, t.delay_seconds * 1000);
    if (t.pages_viewed > 0 && pages >= t.pages_viewed) w.setTimeout(function () { fire("pages"); }, 600);
    if (t.add_to_cart && atc) w.setTimeout(function () { fire("add_to_cart"); }, 600);
    if (t.add_to_cart) {  // AJAX carts stay on the page: storelift.track("add_to_cart") opens it there
      var track = w.storelift.track;
      w.storelift.track = function (e, o) { track(e, o); if (e === "add_to_cart") fire("add_to_cart"); };
    }
    if (t.scroll_percent > 0) {
      var onScroll = function () {
        var doc = d.documentElement, seen = (w.scrollY + w.innerHeight) / Math.max(doc.scrollHeight, 1) * 100;
        if (seen >= t.scroll_percent) { w.removeEventListener("scroll", onScroll); fire("scroll"); }
      };
      w.addEventListener("scroll", onScroll, { passive: true });
    }
    if (t.exit_intent && !isMobile()) {
      d.addEventListener("mouseout", function (e) { if (!e.relatedTarget && e.clientY <= 0) fire("exit"); });
    }
    w.StoreliftCapture.current = widget;
  }

  w.StoreliftCapture = {
    build: build,
    /* Admin preview: the same widget, inline in `element`, panel open, no network. */
    preview: function (element, cfg, state) {
      while (element.firstChild) element.removeChild(element.firstChild);
      var host = d.createElement("storelift-capture");
      host.className = "sl-inline";
      element.appendChild(host);
      var widget = build(host, cfg, { inline: true });
      widget.panel.hidden = false;
      widget.panel.classList.add("in");
      if (state === "success") widget.success({ code: "WELCOME-7KQ2M9XH3P", apply: "#", ends: "2030-01-31" });
      else if (state && state !== "form") widget.success({ spent: state });
      return widget;
    }
  };

  var L = w.storelift && w.storelift._;
  if (L && L.c) start(L);
})(window, document);
