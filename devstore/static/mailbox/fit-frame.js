// The email's frame as tall as the email, as a mail client shows a message: the page scrolls, not a box
// inside it, and the product cards at the end of a triggered email are not cut off. The frame is sandboxed
// without allow-scripts, so no script of the email runs; allow-same-origin is what lets this script, the
// inbox's own, read how tall the email is.
for (const frame of document.querySelectorAll("iframe.html-part")) {
  const fit = () => {
    const email = frame.contentDocument;
    if (!email || email.URL !== "about:srcdoc") return;  // the frame's first, empty document
    const root = email.documentElement;
    // Grow to everything there is to scroll to; shrink to the email when it is shorter than the frame.
    const height = root.scrollHeight > frame.clientHeight ? root.scrollHeight
      : Math.ceil(root.getBoundingClientRect().height);
    frame.style.height = `${height + frame.offsetHeight - frame.clientHeight}px`;  // plus the frame's border
  };
  frame.addEventListener("load", fit);
  window.addEventListener("resize", fit);
  if (frame.contentDocument?.readyState === "complete") fit();
}
