// Second Look: small progressive enhancements. Loaded with the page's CSP nonce.
(function () {
  "use strict";
  // After an htmx swap, move focus to the new content's heading or marked
  // element so keyboard and screen-reader users land on what changed.
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target;
    var focusTarget = root.querySelector("[data-autofocus]") || root.querySelector("h1, h2");
    if (focusTarget) {
      if (!focusTarget.hasAttribute("tabindex")) focusTarget.setAttribute("tabindex", "-1");
      focusTarget.focus();
    }
  });
})();
