/* Article citations: fill in the page's address and today's date as the reader sees them,
   and copy the citation with one click. Without JavaScript the citation still reads whole. */
(function () {
  "use strict";
  function today() {
    try {
      return new Intl.DateTimeFormat("ar-IQ-u-nu-latn", { day: "numeric", month: "long", year: "numeric" }).format(new Date());
    } catch (error) {
      return new Date().toISOString().slice(0, 10);
    }
  }
  function setUp() {
    // Regions that scroll sideways on a phone (code, wide tables) can be scrolled from the keyboard.
    // Material wraps each table in its scrolling box when its bundle mounts, after this has run:
    // the page's content is watched for the boxes it adds.
    var scrolling = ".md-typeset pre > code:not([tabindex]), .md-typeset__scrollwrap:not([tabindex])";
    var focusable = function () {
      document.querySelectorAll(scrolling).forEach(function (el) { el.setAttribute("tabindex", "0"); });
    };
    focusable();
    var content = document.querySelector(".md-content");
    if (content && window.MutationObserver) new MutationObserver(focusable).observe(content, { childList: true, subtree: true });
    var page = location.href.split("#")[0].split("?")[0];
    document.querySelectorAll("[data-dossier-page]").forEach(function (el) {
      // As the build writes addresses: a phone may wrap them after / ? & = #, never inside a word.
      el.textContent = "";
      page.split(/(?<=[\/?&=#])/).forEach(function (part, i) {
        if (i) el.appendChild(document.createElement("wbr"));
        el.appendChild(document.createTextNode(part));
      });
    });
    document.querySelectorAll("[data-dossier-consulted]").forEach(function (el) { el.textContent = today(); });
    document.querySelectorAll("[data-dossier-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-dossier-copy"));
        var status = button.parentNode.querySelector(".dossier-copy__done");
        var text = source.textContent.trim();
        var done = function () { if (status) status.textContent = button.getAttribute("data-done"); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
        } else {
          fallback(text);
          done();
        }
      });
    });
  }
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (error) { /* nothing more to try */ }
    document.body.removeChild(area);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp, { once: true });  // once: Material's loader gives the event again (main.html)
  else setUp();
})();

/* Search, loaded when the reader opens it: a page view costs no search script (search.js,
   6 KB), only these few lines that wait for the reader to open search (focus on the box, "/" or
   "s", the header's button, a [data-dossier-search-open] button, or a link with ?q=). They open
   the box at once; search.js, once loaded, takes over from the state it finds. */
(function () {
  "use strict";
  var box = document.querySelector("[data-dossier-search]");
  var toggle = document.getElementById("__search");
  if (!box || !toggle) return;
  var input = box.querySelector("input.md-search__input");
  var script = null;

  function load() {
    if (script) return;
    script = document.createElement("script");
    script.src = box.getAttribute("data-script");
    script.onerror = function () {  // offline or blocked: say so, and let the next opening try again
      var meta = box.querySelector(".md-search-result__meta");
      meta.textContent = meta.getAttribute("data-failed");
      script.remove();
      script = null;
    };
    document.head.appendChild(script);
  }

  function open() {
    // Material shows the search box once its bundle has mounted (it takes "no-js" off the page),
    // which comes after the first paint: a reader who asks for search before then is given it.
    document.documentElement.classList.remove("no-js");
    if (!toggle.checked) toggle.click();  // Material's overlay and keyboard mode follow the toggle
    if (document.activeElement !== input) input.focus();
    load();
  }

  input.addEventListener("focus", load);
  toggle.addEventListener("change", function () { if (toggle.checked) load(); });
  // Buttons elsewhere on a page that open search (the 404 page's "ابحث في الملف").
  document.querySelectorAll("[data-dossier-search-open]").forEach(function (button) {
    button.addEventListener("click", function (ev) { ev.preventDefault(); open(); });
  });
  // "/" and "s" open search from anywhere on the page but a text field; Escape closes it, even
  // before search.js has come.
  window.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
    if (toggle.checked) {
      if (ev.key === "Escape") { toggle.click(); input.blur(); }
      return;
    }
    var el = document.activeElement;
    var typing = el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
    // ev.code too: on an Arabic keyboard these keys type "ظ" and "س"
    var key = ev.key === "/" || ev.key === "s" || ((ev.code === "Slash" || ev.code === "KeyS") && !ev.shiftKey);
    if (key && !typing) {
      ev.preventDefault();
      open();
    }
  });
  if (new URLSearchParams(location.search).get("q")) load();  // search.js opens it with the query
})();
