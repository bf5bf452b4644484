/* inkstone · transmission theme: the theme toggle, copy buttons on code blocks and the
 * highlighted table-of-contents entry. Everything on the page works without this file.
 * The saved theme itself is applied by a tiny inline script in <head>, before any CSS. */
(function () {
  "use strict";

  var root = document.documentElement;
  var labels = document.body ? document.body.dataset : {};

  /* Theme toggle ------------------------------------------------------------------- */

  var systemDark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var toggle = document.querySelector(".theme-toggle");

  function currentTheme() {
    return root.dataset.theme || (systemDark && systemDark.matches ? "dark" : "light");
  }

  function syncToggle() {
    if (toggle) toggle.setAttribute("aria-pressed", currentTheme() === "dark" ? "true" : "false");
  }

  // The browser's UI colour follows an explicit choice too (the <meta> tags follow the system).
  function syncThemeColor() {
    if (!root.dataset.theme) return;
    var bg = getComputedStyle(root).getPropertyValue("--bg").trim();
    var metas = document.querySelectorAll('meta[name="theme-color"]');
    for (var i = 0; i < metas.length; i++) metas[i].setAttribute("content", bg);
  }

  function setTheme(theme, remember) {
    root.dataset.theme = theme;
    syncThemeColor();
    if (remember) {
      try { localStorage.setItem("theme", theme); } catch (e) { /* private mode: not saved */ }
    }
    syncToggle();
  }

  if (toggle) {
    toggle.addEventListener("click", function () {
      setTheme(currentTheme() === "dark" ? "light" : "dark", true);
    });
    if (systemDark) {
      var onSystemChange = syncToggle;
      if (systemDark.addEventListener) systemDark.addEventListener("change", onSystemChange);
      else if (systemDark.addListener) systemDark.addListener(onSystemChange);
    }
    // Another tab changed the theme.
    window.addEventListener("storage", function (event) {
      if (event.key !== "theme") return;
      if (event.newValue === "dark" || event.newValue === "light") setTheme(event.newValue, false);
      else { delete root.dataset.theme; syncToggle(); }
    });
    syncToggle();
    syncThemeColor();
  }

  /* Copy buttons ------------------------------------------------------------------- */

  function codeText(pre) {
    var copy = pre.cloneNode(true);
    var skip = copy.querySelectorAll(".linenos, .lineno");
    for (var i = 0; i < skip.length; i++) skip[i].remove();
    return copy.textContent.replace(/\n$/, "");
  }

  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.left = "0";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return legacyCopy(text); }
      );
    }
    return Promise.resolve(legacyCopy(text));
  }

  var blocks = document.querySelectorAll(".code-block");
  for (var b = 0; b < blocks.length; b++) {
    (function (block) {
      var pre = block.querySelector("pre");
      if (!pre) return;
      var header = block.querySelector(".code-header");
      if (!header) {
        header = document.createElement("div");
        header.className = "code-header";
        block.insertBefore(header, block.firstChild);
      }
      var button = document.createElement("button");
      var idle = labels.labelCopy || "Copy";
      var timer = 0;
      button.type = "button";
      button.className = "code-copy";
      button.textContent = idle;
      button.setAttribute("aria-label", labels.labelCopyCode || idle);
      button.setAttribute("aria-live", "polite");
      header.appendChild(button);
      button.addEventListener("click", function () {
        var text = codeText(pre);
        copyText(text).then(function (ok) {
          button.dataset.state = ok ? "copied" : "failed";
          button.textContent = ok ? (labels.labelCopied || "Copied") : (labels.labelCopyFailed || "Copy failed");
          button.removeAttribute("aria-label");
          clearTimeout(timer);
          timer = setTimeout(function () {
            delete button.dataset.state;
            button.textContent = idle;
            button.setAttribute("aria-label", labels.labelCopyCode || idle);
          }, 2000);
        });
      });
    })(blocks[b]);
  }

  /* Table of contents: mark the section being read --------------------------------- */

  var tocLinks = document.querySelectorAll(".toc-list a[href^='#']");
  if (!tocLinks.length) return;

  var targets = [];
  var byId = {};
  for (var t = 0; t < tocLinks.length; t++) {
    var id = decodeURIComponent(tocLinks[t].getAttribute("href").slice(1));
    (byId[id] = byId[id] || []).push(tocLinks[t]);
    var heading = document.getElementById(id);
    if (heading && targets.indexOf(heading) < 0) targets.push(heading);
  }

  var active = null;
  function markActive() {
    var line = Math.min(window.innerHeight * 0.3, 160);
    var found = null;
    for (var i = 0; i < targets.length; i++) {
      if (targets[i].getBoundingClientRect().top <= line) found = targets[i];
      else break;
    }
    // At the very bottom the last sections may never reach the line: take the last one.
    if (window.scrollY > 0 && window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2 && targets.length) {
      found = targets[targets.length - 1];
    }
    if (found === active) return;
    if (active) (byId[active.id] || []).forEach(function (a) { a.removeAttribute("aria-current"); });
    active = found;
    if (active) (byId[active.id] || []).forEach(function (a) { a.setAttribute("aria-current", "location"); });
  }

  var queued = false;
  function onScroll() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(function () { queued = false; markActive(); });
  }
  window.addEventListener("scroll", onScroll, { passive: true });
  window.addEventListener("resize", onScroll, { passive: true });
  markActive();
})();
