/* The embedded admin's one page script, loaded by every admin page (plugin/templates/base.html).

   A session token lives about a minute and an admin page may stay open for hours, so, as the
   platform's App Bridge does, every click and every API call first asks the store admin (the
   parent frame, postMessage "storelift:id_token") for a fresh token:
   - a link to another admin page navigates with ?id_token=<fresh token>;
   - an admin link marked `download` is fetched with "Authorization: Bearer <fresh token>" and
     saved from a blob, so the token never enters a URL;
   - page scripts call StoreliftAdmin.fetch(url, {method, body}) for the admin API.
   Tokens are asked of, and accepted from, only the origins allowed to frame the page. Opened
   outside a frame, or when the store admin does not answer, the page's own token is used. */
(function () {
  "use strict";
  var script = document.currentScript;
  var pageToken = script.getAttribute("data-token");
  var parentOrigins = script.getAttribute("data-parent-origins").split(" ");
  // Ask only the parent's own origin when the browser names it (location.ancestorOrigins): posting
  // to each allowed origin in turn reaches the same parent, but logs a warning for every other one.
  var ancestors = window.location.ancestorOrigins;
  var askOrigins = ancestors && ancestors.length && parentOrigins.indexOf(ancestors[0]) >= 0
    ? [ancestors[0]] : parentOrigins;
  var ANSWER_MS = 5000;
  var pending = {}, seq = 0;

  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (event.source !== window.parent || parentOrigins.indexOf(event.origin) < 0) return;
    if (data.type !== "storelift:id_token" || typeof data.idToken !== "string" || !pending[data.requestId]) return;
    pending[data.requestId](data.idToken);
    delete pending[data.requestId];
  });

  function freshToken() {
    if (window.parent === window) return Promise.resolve(pageToken);
    return new Promise(function (resolve) {
      var id = "r" + (++seq);
      pending[id] = resolve;
      askOrigins.forEach(function (origin) {  /* delivered only to the parent's actual origin */
        window.parent.postMessage({ type: "storelift:id_token", requestId: id }, origin);
      });
      setTimeout(function () { if (pending[id]) { delete pending[id]; resolve(pageToken); } }, ANSWER_MS);
    });
  }

  function authorized(url, method, body, accept) {
    return freshToken().then(function (token) {
      var headers = { "Authorization": "Bearer " + token, "Accept": accept };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return fetch(url, { method: method, headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body) });
    });
  }

  function adminUrl(link) {
    var url = new URL(link.href, window.location.href);
    return url.origin === window.location.origin && /^\/admin(\/|$)/.test(url.pathname) ? url : null;
  }

  function showProblem(link, text) {
    var note = link.nextElementSibling;
    if (!note || !note.classList.contains("link-problem")) {
      note = document.createElement("span");
      note.className = "bad link-problem";
      note.setAttribute("role", "alert");
      link.insertAdjacentElement("afterend", note);
    }
    note.textContent = " " + text;
  }

  function download(link, url) {
    authorized(url.href, "GET", undefined, "*/*").then(function (response) {
      if (!response.ok) throw new Error("Storelift answered " + response.status);
      var named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      return response.blob().then(function (blob) {
        var save = document.createElement("a");
        save.href = URL.createObjectURL(blob);
        save.download = named ? named[1] : link.getAttribute("download") || "download";
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(save.href); }, 60000);
      });
    }).catch(function (error) { showProblem(link, "Download failed (" + error.message + "); try again."); });
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;  /* new tab or window */
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    var url = link && (!link.target || link.target === "_self") ? adminUrl(link) : null;
    if (!url) return;
    event.preventDefault();
    url.searchParams.delete("id_token");
    if (link.hasAttribute("download")) { download(link, url); return; }
    freshToken().then(function (token) {
      url.searchParams.set("id_token", token);
      window.location.assign(url.href);
    });
  });

  window.StoreliftAdmin = {
    /* The admin API with a fresh token: a JSON body is sent as JSON; resolves to the fetch Response. */
    fetch: function (url, options) {
      options = options || {};
      return authorized(url, options.method || "GET", options.body, "application/json");
    }
  };
})();
