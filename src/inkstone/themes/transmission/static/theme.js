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

  /* Search: Ctrl-K, "/" or the header's link open the dialog. The search UI (search.js)
   * and Pagefind load on first use; without JavaScript the link leads to /search/. ---- */

  var searchDialog = document.getElementById("search-dialog");
  var searchLinks = document.querySelectorAll("[data-search-open]");
  var searchUi = null;

  function openSearch() {
    if (!searchUi) searchUi = import(searchDialog.dataset.searchJs);
    searchUi.then(function (ui) { ui.openDialog(searchDialog); }, function () {
      searchUi = null;
      window.location.href = searchLinks[0].href; // the search page still works
    });
  }

  function isTyping(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  if (searchDialog && searchDialog.showModal && searchLinks.length) {
    for (var s = 0; s < searchLinks.length; s++) {
      searchLinks[s].addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey) return; // a new tab: the page
        event.preventDefault();
        openSearch();
      });
    }
    document.addEventListener("keydown", function (event) {
      var ctrlK = (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k";
      var slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target);
      if (!(ctrlK || slash) || searchDialog.open) return;
      event.preventDefault();
      openSearch();
    });
  }

  /* Content tabs: each .tabs set (all panels shown, each under its label) becomes an
   * ARIA tab list: one panel at a time, arrow keys/Home/End move between tabs. -------- */

  var tabSets = document.querySelectorAll(".tabs");
  var tabIds = 0;

  function freshId(prefix) {
    var id;
    do { id = prefix + (++tabIds); } while (document.getElementById(id));
    return id;
  }

  function enhanceTabs(set) {
    var panels = [];
    for (var c = 0; c < set.children.length; c++) {
      if (set.children[c].classList.contains("tab-panel")) panels.push(set.children[c]);
    }
    if (!panels.length) return;
    var list = document.createElement("div");
    list.className = "tab-list";
    list.setAttribute("role", "tablist");
    var tabs = [];
    var first = 0;
    panels.forEach(function (panel, i) {
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "tab";
      tab.id = freshId("tab-");
      tab.setAttribute("role", "tab");
      if (!panel.id) panel.id = tab.id + "-panel";
      tab.setAttribute("aria-controls", panel.id);
      var label = panel.firstElementChild;
      if (label && label.classList.contains("tab-label")) {
        for (var n = 0; n < label.childNodes.length; n++) tab.appendChild(label.childNodes[n].cloneNode(true));
      } else {
        tab.textContent = String(i + 1);
      }
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      if (panel.hasAttribute("data-selected")) first = i;
      tabs.push(tab);
      list.appendChild(tab);
    });

    function select(index, focus) {
      for (var i = 0; i < tabs.length; i++) {
        var on = i === index;
        tabs[i].setAttribute("aria-selected", on ? "true" : "false");
        tabs[i].tabIndex = on ? 0 : -1;
        panels[i].hidden = !on;
      }
      if (focus) tabs[index].focus();
    }

    list.addEventListener("click", function (event) {
      var index = tabs.indexOf(event.target.closest ? event.target.closest("[role=tab]") : null);
      if (index >= 0) select(index, false);
    });
    list.addEventListener("keydown", function (event) {
      var current = tabs.indexOf(document.activeElement);
      if (current < 0) return;
      var last = tabs.length - 1;
      var next = { ArrowRight: current === last ? 0 : current + 1,
                   ArrowLeft: current === 0 ? last : current - 1,
                   Home: 0, End: last }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select(next, true);
    });

    set.insertBefore(list, set.firstChild);
    set.classList.add("is-tabbed");
    select(first, false);
    set.inkstoneTabs = { panels: panels, select: select };
  }

  for (var ts = 0; ts < tabSets.length; ts++) enhanceTabs(tabSets[ts]);

  // A link to something inside a hidden panel (a heading, a footnote) shows that panel.
  function revealTarget() {
    var target = null;
    try { target = document.getElementById(decodeURIComponent(window.location.hash.slice(1))); } catch (e) { return; }
    var revealed = false;
    for (var el = target; el; el = el.parentElement) {
      var set = el.parentElement;
      if (set && set.inkstoneTabs && el.hidden) {
        set.inkstoneTabs.select(set.inkstoneTabs.panels.indexOf(el), false);
        revealed = true;
      }
    }
    if (revealed) target.scrollIntoView();
  }
  if (tabSets.length) {
    window.addEventListener("hashchange", revealTarget);
    if (window.location.hash) revealTarget();
  }

  /* Image zoom: a figure shrunk to fit the column opens whole ---------------------- */
  // An image drawn narrower than it is (its width attribute) becomes a button that shows it
  // at full size in a modal dialog; Esc, a click or the close button closes it, and focus
  // goes back to the image. An image inside a link keeps its link.

  var zoomDialog = null;
  var zoomImages = document.querySelectorAll(".prose img[width]");

  function openZoom(img) {
    if (!zoomDialog) {
      zoomDialog = document.createElement("dialog");
      zoomDialog.className = "zoom-dialog";
      var close = document.createElement("button");
      close.type = "button";
      close.className = "zoom-close";
      close.setAttribute("aria-label", labels.labelZoomClose || "Close");
      close.textContent = "\u00d7";
      zoomDialog.appendChild(document.createElement("img"));
      zoomDialog.appendChild(close);
      zoomDialog.addEventListener("click", function () { zoomDialog.close(); });
      document.body.appendChild(zoomDialog);
    }
    var whole = zoomDialog.querySelector("img");
    whole.src = img.src;  // the original: srcset's copies are the smaller ones
    whole.alt = img.alt;
    zoomDialog.setAttribute("aria-label", img.alt || labels.labelZoom || "Image");
    zoomDialog.showModal();
  }

  function markZoomable() {
    for (var i = 0; i < zoomImages.length; i++) {
      var img = zoomImages[i];
      if (img.closest("a")) continue;
      var shrunk = parseInt(img.getAttribute("width"), 10) > img.clientWidth + 2;
      if (shrunk === img.classList.contains("is-zoomable")) continue;
      img.classList.toggle("is-zoomable", shrunk);
      if (shrunk) {
        img.setAttribute("role", "button");
        img.setAttribute("tabindex", "0");
        img.setAttribute("aria-label", (labels.labelZoom || "Enlarge image") + (img.alt ? ": " + img.alt : ""));
      } else {
        img.removeAttribute("role");
        img.removeAttribute("tabindex");
        img.removeAttribute("aria-label");
      }
    }
  }

  if (zoomImages.length && window.HTMLDialogElement) {
    document.addEventListener("click", function (event) {
      var img = event.target.closest ? event.target.closest("img.is-zoomable") : null;
      if (img) openZoom(img);
    });
    document.addEventListener("keydown", function (event) {
      var img = event.target;
      if ((event.key === "Enter" || event.key === " ") && img.classList && img.classList.contains("is-zoomable")) {
        event.preventDefault();
        openZoom(img);
      }
    });
    var zoomQueued = false;
    window.addEventListener("resize", function () {
      if (zoomQueued) return;
      zoomQueued = true;
      window.requestAnimationFrame(function () { zoomQueued = false; markZoomable(); });
    }, { passive: true });
    markZoomable();
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
