/* The Emails page (plugin/admin/templates/admin/emails.html, API in plugin/admin/emails.py).

   The form edits a copy of the saved settings (read from the page's JSON), so fields the page
   has no control for are saved back unchanged. Every text the merchant or a shopper wrote is
   shown with textContent, never as markup; the preview's HTML, rendered by the server, goes
   only into a sandboxed iframe's srcdoc, where nothing runs. API calls go through
   StoreliftAdmin.fetch (static/admin.js), which adds a fresh session token. */
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("emails-state").textContent);
  var form = document.getElementById("settings"), statusEl = document.getElementById("status");
  var previewFlow = document.getElementById("preview-flow");
  var frame = document.getElementById("preview-frame"), testStatus = document.getElementById("test-status");
  var PREVIEW_WAIT_MS = 400, asked = 0, timer = null;

  function readable(minutes) {  /* as plugin.admin.emails.readable_minutes */
    if (minutes === 0) return "at once";
    var days = Math.floor(minutes / 1440), hours = Math.floor(minutes % 1440 / 60), mins = minutes % 60;
    return [days ? days + (days === 1 ? " day" : " days") : "", hours ? hours + " h" : "", mins ? mins + " min" : ""]
      .filter(Boolean).join(" ");
  }
  function wholeNumber(text) { return /^\s*\d+\s*$/.test(text) ? Number(text) : null; }

  function collect() {
    var s = JSON.parse(JSON.stringify(state.settings));
    Object.keys(s.flows).forEach(function (flow) { s.flows[flow].delays_minutes = []; });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      var path = el.name.split("."), key = path.pop(), target = s;
      path.forEach(function (part) { target = target[part]; });
      if (key === "delays_minutes") { if (el.value.trim() !== "") target[key].push(el.value.trim()); }
      else if (el.type === "checkbox") target[key] = el.checked;
      else target[key] = el.value;  /* numbers as typed: the server says what is wrong with them */
    });
    return s;
  }

  function describeFlow(flow) {
    var details = document.getElementById("flow-" + flow);
    var on = details.querySelector("input[type=checkbox]").checked, delays = [];
    Array.prototype.forEach.call(details.querySelectorAll("input[type=number]"), function (input) {
      var minutes = wholeNumber(input.value), out = document.getElementById("o-" + input.id.slice(2));
      out.textContent = minutes === null ? (input.value.trim() ? "not a whole number" : "") : readable(minutes);
      if (minutes !== null) delays.push(readable(minutes));
    });
    document.getElementById("state-" + flow).textContent = "· " + (on ? "on" : "off") + " · " + delays.length +
      (delays.length === 1 ? " email: " : " emails: ") + delays.join(", ");
  }

  /* Each refused field by its flow and label, its flow opened, marked and linked from the summary
     (static/form_errors.js, which every settings form shares). */
  function showErrors(errors) { StoreliftForms.showErrors(form, errors); }

  function answer(response) {
    return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
  }
  function problem(body) {  /* fields named as the merchant reads them, not by the API's dotted names */
    if (body.errors) return StoreliftForms.describe(form, body.errors).join("; ");
    return body.message || body.reason || "refused";
  }

  function preview() {
    var mine = ++asked, flow = previewFlow.value, person = document.getElementById("preview-person");
    if (!person.textContent) person.textContent = "Rendering…";
    StoreliftAdmin.fetch("/admin/api/emails/preview", { method: "POST", body: { flow: flow, settings: collect() } })
      .then(answer).then(function (r) {
        if (mine !== asked) return;
        if (!r.ok) {
          person.textContent = "No preview until this is fixed: " + problem(r.body);
          return;
        }
        frame.srcdoc = r.body.html;  /* sandboxed: scripts, forms and same-origin access are all off */
        person.textContent = "Shown for " + r.body.person.label + ".";
        document.getElementById("preview-subject").textContent = r.body.subject;
        document.getElementById("preview-preheader").textContent = r.body.preview || "(none)";
        document.getElementById("preview-note").textContent = [
          r.body.stand_in_items ? "The item is a sample: a shopper sees their own cart or checkout." : "",
          r.body.sample_products ?
            "The products under \u201cPicked for you\u201d are samples: your store has none to recommend yet." :
            "\u201cPicked for you\u201d shows what would be chosen for this person now; " +
            "a shopper\u2019s email chooses when they open it."
        ].join(" ").trim();
      }, function () { if (mine === asked) person.textContent = "Could not reach Storelift."; });
  }
  function previewSoon() { clearTimeout(timer); timer = setTimeout(preview, PREVIEW_WAIT_MS); }

  form.addEventListener("input", function (e) {
    var details = e.target.closest("details.flow");
    if (details) { describeFlow(details.getAttribute("data-flow")); previewFlow.value = details.getAttribute("data-flow"); }
    previewSoon();
  });
  form.addEventListener("change", function (e) {
    var details = e.target.closest("details.flow");
    if (details) describeFlow(details.getAttribute("data-flow"));
    previewSoon();
  });
  Array.prototype.forEach.call(document.querySelectorAll("details.flow"), function (details) {
    details.addEventListener("toggle", function () {
      if (details.open && previewFlow.value !== details.getAttribute("data-flow")) {
        previewFlow.value = details.getAttribute("data-flow");
        preview();
      }
    });
  });
  previewFlow.addEventListener("change", preview);

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = form.querySelector(".save");
    button.disabled = true;
    statusEl.textContent = "Saving…";
    StoreliftAdmin.fetch("/admin/api/emails/settings", { method: "PUT", body: collect() }).then(answer).then(function (r) {
      button.disabled = false;
      if (r.ok) { state.settings = r.body.settings; showErrors({}); statusEl.textContent = "Saved (version " + r.body.version + ")."; }
      else { showErrors(r.body.errors || { settings: problem(r.body) }); statusEl.textContent = "Not saved."; }
    }, function () { button.disabled = false; statusEl.textContent = "Could not reach Storelift."; });
  });

  document.getElementById("test-send").addEventListener("click", function () {
    var button = this, to = document.getElementById("test-to").value;
    button.disabled = true;
    testStatus.className = "";
    testStatus.textContent = "Sending…";
    StoreliftAdmin.fetch("/admin/api/emails/test", { method: "POST",
      body: { flow: previewFlow.value, to: to, settings: collect() } }).then(answer).then(function (r) {
      button.disabled = false;
      testStatus.className = r.ok ? "ok" : "bad";
      testStatus.textContent = r.ok ? r.body.message : problem(r.body);
    }, function () { button.disabled = false; testStatus.className = "bad"; testStatus.textContent = "Could not reach Storelift."; });
  });

  /* The do-not-mail list, redrawn from each answer. */
  var suppressForm = document.getElementById("suppress-form"), suppressStatus = document.getElementById("suppress-status");
  function drawSuppressions(rows) {
    var body = document.querySelector("#suppressions tbody");
    body.textContent = "";
    rows.forEach(function (row) {
      var tr = document.createElement("tr"), remove = document.createElement("button"), cell;
      [row.email, row.reason, row.added].forEach(function (text) {
        cell = document.createElement("td"); cell.textContent = text; tr.appendChild(cell);
      });
      remove.type = "button"; remove.className = "action"; remove.textContent = "Remove";
      remove.setAttribute("data-remove", row.email); remove.setAttribute("aria-label", "Remove " + row.email);
      cell = document.createElement("td"); cell.appendChild(remove); tr.appendChild(cell);
      body.appendChild(tr);
    });
    document.getElementById("suppressions").hidden = !rows.length;
    document.getElementById("suppressions-empty").hidden = !!rows.length;
  }
  suppressForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var input = document.getElementById("suppress-email"), error = document.getElementById("e-email");
    StoreliftAdmin.fetch("/admin/api/emails/suppressions", { method: "POST", body: { email: input.value } })
      .then(answer).then(function (r) {
        if (r.ok || r.body.errors) StoreliftForms.showErrors(suppressForm, r.ok ? {} : r.body.errors);
        else error.textContent = problem(r.body);
        if (!r.ok) return;
        suppressStatus.textContent = r.body.added ? "Added" + (r.body.skipped ? "; " + r.body.skipped + " planned email(s) will not go." : ".") : "Already on the list.";
        input.value = "";
        drawSuppressions(r.body.suppressions);
      }, function () { suppressStatus.textContent = "Could not reach Storelift."; });
  });
  document.getElementById("suppressions").addEventListener("click", function (e) {
    var button = e.target.closest("button[data-remove]");
    if (!button) return;
    var email = button.getAttribute("data-remove");
    StoreliftAdmin.fetch("/admin/api/emails/suppressions/" + encodeURIComponent(email), { method: "DELETE" })
      .then(answer).then(function (r) {
        suppressStatus.textContent = r.ok ? email + " may be emailed again." : problem(r.body);
        if (r.ok) { drawSuppressions(r.body.suppressions); document.getElementById("suppress-email").focus(); }
      }, function () { suppressStatus.textContent = "Could not reach Storelift."; });
  });

  /* DKIM: DNS is asked after the page is shown (a lookup may take seconds). */
  var DNS_WORDS = {
    found: ["ok", "published: receivers can check the signature."],
    different: ["bad", "a different DKIM key is published under this name: publish the value above instead."],
    missing: ["bad", "not published yet (DNS changes can take a few hours to show)."],
    unreachable: ["bad", "DNS could not be reached just now: check again later."]
  };
  function checkDns() {
    var out = document.getElementById("dkim-dns");
    out.className = ""; out.textContent = "checking…";
    StoreliftAdmin.fetch("/admin/api/emails/dkim").then(answer).then(function (r) {
      var words = r.ok && DNS_WORDS[r.body.dns] || ["bad", "could not be checked."];
      out.className = words[0]; out.textContent = words[1];
    }, function () { out.className = "bad"; out.textContent = "could not be checked."; });
  }
  if (state.has_key) {
    document.getElementById("dkim-check").addEventListener("click", checkDns);
    checkDns();
  }
  preview();
})();
