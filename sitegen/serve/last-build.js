/* `python build.py serve` only, while its first build runs: this page is the last `build`'s
   (site/), not the preview, or says that the preview is being built. Says so, and reloads once
   the preview answers. */
(function () {
  "use strict";
  var script = document.currentScript;
  var status = script.src.replace(/last-build\.js$/, "status.js");
  function show() {
    var box = document.createElement("section");
    box.setAttribute("role", "status");
    box.setAttribute("dir", "ltr");
    box.className = "dossier-last-build";
    box.style.cssText = "position:fixed;inset-inline:0;bottom:0;z-index:10;margin:0;padding:.8em 1em;" +
      "font:14px/1.5 ui-monospace,monospace;background:#0d47a1;color:#fff";
    box.textContent = "Preview not ready yet: this is the last `build` (site/, made " + script.dataset.built +
      "), without drafts or changes since. The page reloads when the preview is ready.";
    document.body.appendChild(box);
  }
  function poll() {
    fetch(status, { cache: "no-store" }).then(function (response) {
      if (response.ok && !response.headers.get("X-Dossier-Preview")) location.reload();
      else setTimeout(poll, 1000);
    }, function () { setTimeout(poll, 1000); });
  }
  if (script.dataset.built) {  // a page of the last build (on the page saying the preview is being built: no banner)
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
    else show();
  }
  setTimeout(poll, 1000);
})();
