/* The holdout settings form on "What Storelift earned": PUT through StoreliftAdmin.fetch (static/admin.js),
   which adds a fresh session token; field errors are shown next to their fields (static/form_errors.js). */
(function () {
  var form = document.getElementById("experiments"), statusEl = document.getElementById("status");
  var fields = ["holdout_percent", "global_holdout", "global_percent", "block_control", "window_days"];

  function collect() {
    var settings = { surface_percent: {} };
    fields.forEach(function (name) {
      var el = document.getElementById("f-" + name);
      settings[name] = el.type === "checkbox" ? el.checked : el.value.trim();
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[data-surface]"), function (el) {
      if (el.value.trim() !== "") settings.surface_percent[el.getAttribute("data-surface")] = el.value.trim();
    });
    return settings;
  }

  /* Each refused field by its label, marked and linked from the summary: static/form_errors.js, which
     every settings form shares. */
  function showErrors(errors) { StoreliftForms.showErrors(form, errors); }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = form.querySelector(".save");
    button.disabled = true;
    statusEl.textContent = "Saving…";
    StoreliftAdmin.fetch("/admin/api/experiments/settings", { method: "PUT", body: collect() }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (r) {
      button.disabled = false;
      if (r.ok) { showErrors({}); statusEl.textContent = "Saved (version " + r.body.version + "). A changed split starts new periods."; }
      else { showErrors(r.body.errors || {}); statusEl.textContent = "Not saved."; }
    }, function () { button.disabled = false; statusEl.textContent = "Could not reach Storelift."; });
  });
})();
