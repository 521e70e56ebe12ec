// Second Look quiz page: keyboard shortcuts, spot-the-tell pointing, zoom, replay and seek.
// Everything here is an enhancement; the forms work without it. Loaded with the CSP nonce.
(function () {
  "use strict";

  function typingInField(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" && !/^(radio|checkbox|button|submit)$/i.test(target.type) ||
      tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // R / F choose the answer, 5-9 and 0 the confidence (documented on the page, never required).
  // Only while focus is in the item being answered, or nowhere in particular (the page just
  // loaded, or the image was clicked to mark a tell), and not on one of its other controls:
  // an "f" pressed on a link, a button or the video must not tick an answer (WCAG 2.1.4).
  function shortcutsApply(target, form) {
    if (!target || !target.closest || !form) return false;
    if (target === document.body) return true;
    // The answer's own radio buttons, yes; any other control, the Submit button included, no.
    if (target.closest("a[href], button, summary, video, audio, select, textarea")) return false;
    if (form.contains(target)) return true;
    var item = form.closest(".quiz-item");
    return item.contains(target) && !target.closest("input");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event.target)) return;
    var form = document.querySelector("#quiz-region .answer-form");
    if (!shortcutsApply(event.target, form)) return;
    var key = event.key.toLowerCase();
    var input = form.querySelector('input[type="radio"][data-key="' + key + '"]');
    if (input) {
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      event.preventDefault();
    }
  });

  // Spot the tell: a click on the image records where, as fractions of its size.
  document.addEventListener("click", function (event) {
    var img = event.target.closest && event.target.closest("[data-point-target] img");
    if (!img) return;
    var form = document.querySelector("#quiz-region .answer-form");
    if (!form) return;
    var box = img.getBoundingClientRect();
    var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    var y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    form.querySelector('input[name="point_x"]').value = x.toFixed(4);
    form.querySelector('input[name="point_y"]').value = y.toFixed(4);
    var circle = img.parentNode.querySelector(".point-marker circle");
    if (circle) {
      circle.setAttribute("cx", (x * 100).toFixed(2));
      circle.setAttribute("cy", (y * 100).toFixed(2));
    }
    // The click replaces any grid choice; the grid choice replaces the click (below).
    var none = form.querySelector('input[name="cell"][value=""]');
    if (none) none.checked = true;
  });

  document.addEventListener("change", function (event) {
    if (event.target.name !== "cell") return;
    var form = event.target.form;
    form.querySelector('input[name="point_x"]').value = "";
    form.querySelector('input[name="point_y"]').value = "";
    var circle = form.closest(".quiz-item").querySelector(".point-marker circle");
    if (circle) { circle.setAttribute("cx", "-10"); circle.setAttribute("cy", "-10"); }
  });

  // Zoom toggle, replay and "jump to" buttons.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-zoom], [data-replay], [data-seek]");
    if (!button) return;
    var figure = button.closest("section");
    if (button.hasAttribute("data-zoom")) {
      var frame = figure.querySelector(".media-frame");
      var on = frame.classList.toggle("is-zoomed");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Zoom out" : "Zoom in";
      // Zoomed, the image scrolls inside its frame: a named stop the keyboard can scroll.
      if (on) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        frame.setAttribute("aria-label", "Zoomed image; scroll with the arrow keys");
      } else {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
      }
      return;
    }
    var player = figure.querySelector("video, audio");
    if (!player) return;
    player.currentTime = button.hasAttribute("data-seek") ? parseFloat(button.getAttribute("data-seek")) : 0;
    player.play();
  });

  // Time limit: the page says when answers stop counting; this keeps the time left
  // up to date, says it aloud at 5 minutes, 1 minute and the end (not every second),
  // and at the end offers the results instead of an answer the server would refuse.
  // The server's clock decides; the countdown only reports it.
  var say = window.SecondLook.announce;  // app.js, loaded first (both deferred, in order)

  function timeLeftWords(seconds) {
    if (seconds >= 120) return Math.ceil(seconds / 60) + " minutes left";
    if (seconds >= 60) return "1 minute " + (seconds - 60) + " seconds left";
    return seconds + (seconds === 1 ? " second left" : " seconds left");
  }

  // The server says how many seconds were left when it rendered the item; count
  // down from when this page (or swapped item) got them, on this browser's
  // monotonic clock, so a wrong system clock does not matter.
  var warned = {};  // one page is one attempt: each warning once, whichever item is showing
  function tick() {
    var limit = document.querySelector("#quiz-region [data-seconds-left]");
    if (!limit) return;
    if (!limit.hasAttribute("data-received")) limit.setAttribute("data-received", String(performance.now()));
    var given = parseInt(limit.getAttribute("data-seconds-left"), 10);
    if (isNaN(given)) return;
    var elapsed = (performance.now() - parseFloat(limit.getAttribute("data-received"))) / 1000;
    var seconds = Math.max(0, Math.ceil(given - elapsed));
    var left = limit.querySelector(".time-left");
    if (seconds > 0) {
      if (left) left.textContent = timeLeftWords(seconds);
      [300, 60].forEach(function (mark) {
        if (seconds <= mark && seconds > mark - 5 && !warned[mark]) {
          warned[mark] = true;
          say(timeLeftWords(seconds) + " to answer.");
        }
      });
      return;
    }
    if (warned.end) return;
    warned.end = true;
    limit.textContent = "Time is up. Answers given before the limit are kept; new answers are not counted. ";
    var link = document.createElement("a");
    link.href = limit.getAttribute("data-results-url");
    link.className = "button";
    link.textContent = "See your results";
    limit.appendChild(link);
    limit.classList.add("time-up");
    var form = document.querySelector("#quiz-region .answer-form");
    // Focus on the button about to be disabled (or anywhere in the dead form) would fall
    // to <body>: take it to what the reader can do now.
    if (form && form.contains(document.activeElement)) link.focus();
    if (form) {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], input[type=submit]"), function (b) {
        b.disabled = true;
      });
    }
    say("Time is up. Your answers so far are kept.");
  }
  window.setInterval(tick, 1000);
  tick();
  document.addEventListener("htmx:afterSwap", tick);

  // Zoom, replay and "jump to" work only with this script: they are hidden until it runs.
  function showEnhancements() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-needs-js][hidden]"), function (el) {
      el.hidden = false;
    });
  }
  showEnhancements();
  document.addEventListener("htmx:afterSwap", showEnhancements);

  // Refusals (409 already answered / too late, 422 not readable) carry words to show:
  // let htmx swap them in like any other answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
