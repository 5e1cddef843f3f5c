/* A refused settings save shown on its form, one way on every admin page (loaded by plugin/templates/base.html).

   The admin API refuses a save with 422 and `errors`, a dotted field name (`discount.value`, `pins.3`)
   mapped to the merchant's message. Those names are the API's, not the merchant's, so the page never
   shows them: each field's place is found in the markup instead.
   - A field's error slot is the element `e-<name with dots as dashes>`; an entry of a list or object
     (`pins.3`, `boosts.vendor:Acme`) lands in the nearest slot above it (`e-pins`, `e-boosts`).
   - The field's controls are those the slot describes (`aria-describedby`): they get aria-invalid.
   - The field's name is the one the merchant reads: its control's label, or the legend of the
     fieldset the slot sits in directly (a group of controls, such as three delays), after the
     `data-field-context` of an enclosing section (the flow, the fieldset) where a label repeats.
   The form's `.error-summary` (role=alert, so it is announced) says how many fields to fix and lists
   each as "name: message", a link that takes the merchant to the field; focus moves to the first one. */
(function () {
  "use strict";

  function words(text) { return (text || "").replace(/\s+/g, " ").trim(); }

  function slotFor(form, parts) {
    for (var n = parts.length; n > 0; n--) {
      var slot = document.getElementById("e-" + parts.slice(0, n).join("-"));
      if (slot && form.contains(slot)) return { slot: slot, rest: parts.slice(n).join(".") };
    }
    return null;
  }

  function controlsOf(form, slot) {
    return Array.prototype.filter.call(form.querySelectorAll("[aria-describedby]"), function (el) {
      return el.getAttribute("aria-describedby").split(/\s+/).indexOf(slot.id) >= 0;
    });
  }

  function nameOf(slot, controls) {
    var group = slot.parentElement, legend = null, name = "";
    if (group && group.tagName === "FIELDSET") legend = group.querySelector("legend");
    if (legend) name = words(legend.textContent);
    else if (controls.length && controls[0].labels && controls[0].labels.length) name = words(controls[0].labels[0].textContent);
    else if (controls.length) name = words(controls[0].getAttribute("aria-label"));
    var context = (legend ? group.parentElement : slot).closest("[data-field-context]");
    return context && name ? context.getAttribute("data-field-context") + " · " + name : name;
  }

  function reveal(control) {
    for (var details = control.closest("details"); details; details = details.parentElement.closest("details")) {
      details.open = true;
    }
  }

  /* Where `key`'s error goes on `form`: its slot, the controls it describes, the field's name for the
     merchant and the message (an entry below its slot named by `detail`); null when the page has no slot. */
  function place(form, key, message, detail) {
    var found = slotFor(form, key.split("."));
    if (!found) return null;
    var controls = controlsOf(form, found.slot);
    var where = found.rest && detail(key.slice(0, key.length - found.rest.length - 1), found.rest);
    return { slot: found.slot, controls: controls, name: nameOf(found.slot, controls),
             message: (where ? where + ": " : "") + message };
  }

  /* A field the form has no slot for, named by the label of the control of that name, if any. */
  function elsewhere(key) {
    var control = document.querySelector("[name=\"" + key.replace(/["\\]/g, "") + "\"]");
    return control && control.labels && control.labels.length ? words(control.labels[0].textContent) : key;
  }

  /* Each problem as "name: message" in the merchant's words, for a status line (a preview refused). */
  function describe(form, errors, options) {
    var detail = (options && options.detail) || function (field, rest) { return rest; };
    return inFormOrder(form, errors || {}, detail).map(function (entry) {
      var at = entry.at;
      return at ? (at.name || entry.key) + ": " + at.message : elsewhere(entry.key) + ": " + errors[entry.key];
    });
  }

  /* The problems in the order of their fields on the form (the API's is the model's); unplaced ones last. */
  function inFormOrder(form, errors, detail) {
    var entries = Object.keys(errors).map(function (key) { return { key: key, at: place(form, key, errors[key], detail) }; });
    return entries.sort(function (a, b) {
      if (!a.at || !b.at) return (a.at ? 0 : 1) - (b.at ? 0 : 1);
      if (a.at.slot === b.at.slot) return 0;
      return a.at.slot.compareDocumentPosition(b.at.slot) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
  }

  /* Shows `errors` ({} clears them) on `form`. `detail(field, rest)`, when given, says how an entry
     below its slot is named in the message (default: the rest of its name, e.g. `vendor:Acme`). */
  function showErrors(form, errors, options) {
    errors = errors || {};
    var detail = (options && options.detail) || function (field, rest) { return rest; };
    var summary = form.querySelector(".error-summary"), first = null, fields = [], unplaced = 0;
    Array.prototype.forEach.call(form.querySelectorAll(".error"), function (e) { e.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (e) { e.removeAttribute("aria-invalid"); });
    var list = document.createElement("ul");
    inFormOrder(form, errors, detail).forEach(function (entry) {
      var key = entry.key, at = entry.at, item = document.createElement("li");
      list.appendChild(item);
      if (!at) {  /* nothing on the form to point at (a problem with the settings object itself) */
        item.textContent = elsewhere(key) + ": " + errors[key];
        unplaced += 1;
        return;
      }
      at.slot.textContent += (at.slot.textContent ? "\n" : "") + at.message;
      at.controls.forEach(function (c) { c.setAttribute("aria-invalid", "true"); reveal(c); });
      if (fields.indexOf(at.slot) < 0) fields.push(at.slot);
      var target = at.controls[0] || at.slot, link = document.createElement("a");
      link.href = "#" + (target.id || at.slot.id);
      link.textContent = (at.name || key) + ": " + at.message;
      link.addEventListener("click", function (e) {  /* handled here, before admin.js takes it for a page load */
        e.preventDefault();
        go(target);
      });
      item.appendChild(link);
      first = first || target;
    });
    if (summary) {
      summary.textContent = "";
      var count = fields.length + unplaced;  /* a field with two bad entries is one field to fix */
      if (count) {
        var head = document.createElement("p");
        head.textContent = "Not saved: " + count + (count === 1 ? " field" : " fields") + " to fix.";
        summary.appendChild(head);
        summary.appendChild(list);
      }
    }
    if (first) go(first);
  }

  function go(target) {
    reveal(target);
    if (!target.matches("input, select, textarea, button")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "center" });
  }

  window.StoreliftForms = { showErrors: showErrors, describe: describe };
})();
