/* Storelift recommendation blocks: every <storelift-recs> slot of a page filled from one request.
 *
 * The app block (extensions/storelift-theme/blocks/recommendations.liquid) renders each slot
 * at its final height and names this file as its "javascript", which the platform includes
 * once per page. It needs the loader (the app embed): it uses the loader's visitor id, proxy
 * path and sending (`storelift._`), so the two together stay within 1,280 bytes gzipped.
 *
 * One GET /recommendations asks for every slot in page order (block, limit and title once
 * per slot), so the server fills each slot from what the ones before it left: no product
 * shows twice on a page. The answer is one HTML fragment per slot, put in the slot's shadow
 * root (theme CSS cannot reach it). Once a slot is in view it reports an impression; a click
 * on a card or its "Add" button reports a click (a keepalive POST: it survives the navigation
 * it causes), and "Add" counts as an add to cart like any other.
 */
((win, doc) => {
  let fill = () => {
    let shared = win.storelift._;
    let slots = [...doc.querySelectorAll("storelift-recs")]; // the platform adds this script only with a slot

    // Each slot's query part (block, limit, title, and the page's product, cart and currency) is
    // written by the app block's Liquid, on the server: here they are only joined.
    let query = slots.map((slot) => slot.dataset.q).join("&");

    fetch(shared.P + "/recommendations?visitor_id=" + shared.V + "&" + query)
      .then((response) => response.text()) // an error's JSON has no element: no slot is filled
      .then((html) => {
        let template = doc.createElement("template");
        template.innerHTML = html;
        // One root element per slot, in page order (none when the answer is an error).
        [...template.content.children].map((fragment, index) => {
          let slot = slots[index];
          let root = slot.attachShadow({ mode: "open" });
          root.append(fragment);
          let report = (kind, data) =>
            shared.J("/recommendations/" + kind, { r: fragment.dataset.rec, b: fragment.dataset.b, ...data });
          new IntersectionObserver((entries, observer) => {
            if (entries.some((entry) => entry.isIntersecting)) {
              observer.disconnect();
              report("impression", { i: [...root.querySelectorAll("a")].map((card) => card.dataset.i) }); // links are cards
            }
          }).observe(slot);
          root.addEventListener("click", (event) => {
            let card = event.target.closest("[data-i]");
            if (card) {
              report("click", { p: card.dataset.i, n: +card.dataset.n });
              // The "Add" form posts inside the shadow root, where the loader's submit listener cannot see it.
              if (card.form) shared.t("add_to_cart");
            }
          });
        });
      })
      .catch(() => {});
  };
  // Deferred scripts run in page order and the loader (the app embed) comes after the slots:
  // queue the filling for when it is running, or fill now if it already is.
  win.storelift?._ ? fill() : (win.storelift ||= []).push(["on", "ready", fill]);
})(window, document);
