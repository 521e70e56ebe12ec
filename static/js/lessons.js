// Second Look lessons: let htmx show the server's 422 message in a knowledge check
// (by default htmx swaps nothing for 4xx responses). Loaded with the page's CSP nonce.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && event.detail.target.closest(".check-feedback")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
