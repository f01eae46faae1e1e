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
    document.querySelectorAll(".md-typeset pre > code, .md-typeset__scrollwrap").forEach(function (el) {
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
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
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
