// Second Look: small progressive enhancements. Loaded with the page's CSP nonce.
(function () {
  "use strict";

  function words(el) {
    return el.textContent.replace(/\s+/g, " ").trim();
  }

  // Say what changed in the page-wide status region: the swapped content's
  // [data-announce] parts, else its heading. A whole swapped region is never
  // a live region itself: screen readers would read every control in it.
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) return;
    region.textContent = "";
    // A fresh text node after a tick is announced even when the words repeat.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  // For page scripts loaded after this one (quiz.js): one way to speak.
  window.SecondLook = { announce: announce };

  // A page that arrives with something to read first (a form's error summary after a
  // submit) marks it [data-autofocus="load"]: focus it, so screen readers start there
  // rather than at the top of an unchanged-looking page. (Deferred: the page is parsed.)
  var first = document.querySelector('[data-autofocus="load"]');
  if (first) first.focus();

  // A refused or failed htmx request would otherwise do nothing visible: say why
  // in the page's message region (a live region) and leave the page as it was.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var text = null;
    if (status === 429) {
      text = "That was a lot of requests at once. Wait a minute and try again; nothing you saved was lost.";
    } else if (status >= 500) {
      text = "Something went wrong on our side. Try again in a moment; nothing you saved was lost.";
    }
    if (text === null) return;
    event.detail.shouldSwap = false;
    event.detail.isError = false;  // handled here; htmx need not log it as an error
    var region = document.getElementById("messages");
    if (region) {
      var p = document.createElement("p");
      p.className = "message message-error";
      var strong = document.createElement("strong");
      strong.textContent = "Error:";
      p.appendChild(strong);
      p.appendChild(document.createTextNode(" " + text));
      region.replaceChildren(p);
    }
  });

  // A swap that removes the focused element (a button replaced by its result,
  // or a background request landing while the reader is in the region) must not
  // drop focus to <body>.
  var hadFocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    hadFocus = active && target && active !== document.body && target.contains(active) ? target : null;
  });

  // An outerHTML swap replaces the target itself: the event still names the old,
  // detached element, so find its replacement by id.
  function swappedRoot(target) {
    if (target.isConnected || !target.id) return target;
    return document.getElementById(target.id) || target;
  }

  // After a swap the reader asked for (a click, a key, a submit, or focus inside
  // the swapped region), move focus to the new content's heading or marked element
  // so keyboard and screen-reader users land on what changed. A background refresh
  // (polling) moves nothing, and says only what its content marks [data-announce]
  // (a job that has just finished: the last poll), never the whole region each time.
  document.addEventListener("htmx:afterSwap", function (event) {
    var old = event.detail.target;
    if (!old) return;  // a page restored from htmx's history (the Back button) names no target
    var root = swappedRoot(old);
    var inside = hadFocus === old;
    hadFocus = null;
    var config = event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    if (!inside && !(trigger && trigger.isTrusted)) {
      var news = Array.prototype.map.call(root.querySelectorAll("[data-announce]"), words);
      if (news.length && !root.closest("[aria-live]")) announce(news.join(" "));
      return;
    }
    var focusTarget = root.querySelector("[data-autofocus]") || root.querySelector("h1, h2");
    if (!focusTarget && inside && !root.contains(document.activeElement)) {
      focusTarget = root.firstElementChild;
    }
    if (focusTarget) {
      if (!focusTarget.hasAttribute("tabindex")) focusTarget.setAttribute("tabindex", "-1");
      focusTarget.focus();
    }
    if (root.closest("[aria-live]")) return;  // already a live region: it speaks for itself
    // Moving focus already makes screen readers read the new heading; the live
    // region adds only what focus does not reach (a verdict, a saved answer), so
    // nothing is read twice. With no focus target, it says the heading instead.
    var parts = Array.prototype.map.call(root.querySelectorAll("[data-announce]"), words);
    if (!parts.length && !focusTarget) {
      var heading = root.querySelector("h1, h2, h3, caption");
      if (heading) parts = [words(heading)];
    }
    if (parts.length) announce(parts.join(" "));
  });

  // A date the browser cannot read (31 February typed by hand) is sent as an empty value, and the
  // server, seeing nothing, would take "no due date" and erase the one saved. Stop such a submit and
  // say which field, as the server's error summary does (focus on it, links to each field).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var bad = Array.prototype.filter.call(
      form.querySelectorAll('input[type="date"], input[type="datetime-local"], input[type="time"]'),
      function (input) { return input.validity && input.validity.badInput; });
    if (!bad.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();  // htmx too: nothing is sent
    var old = form.querySelector(".error-summary.from-browser");
    if (old) old.remove();
    var summary = document.createElement("div");
    summary.className = "error-summary from-browser";
    summary.tabIndex = -1;
    summary.setAttribute("role", "alert");
    var title = document.createElement("h2");
    title.className = "error-summary-title";
    title.textContent = "There is a problem";
    var list = document.createElement("ul");
    list.className = "error-summary-list";
    bad.forEach(function (input) {
      input.setAttribute("aria-invalid", "true");
      var label = form.querySelector('label[for="' + input.id + '"]');
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + input.id;
      link.textContent = (label ? label.textContent.trim() : "A date") +
        ": this is not a real date or time; check the day, month and year.";
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.appendChild(title);
    summary.appendChild(list);
    form.insertBefore(summary, form.firstChild);
    summary.focus();
  }, true);
})();
