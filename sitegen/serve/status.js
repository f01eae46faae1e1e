/* `python build.py serve` only: the dossier's problems, shown on every page of the preview
   (the same lines `check` prints), until an edit fixes them. Text only: problems quote
   values from the YAML, so nothing here is ever parsed as HTML. */
(function () {
  "use strict";
  var problems = window.dossierServeProblems || [];
  if (!problems.length) return;
  function show() {
    var errors = problems.filter(function (p) { return !p.warning; }).length;
    var box = document.createElement("section");
    box.setAttribute("role", "alert");
    box.setAttribute("dir", "ltr");
    box.style.cssText = "position:fixed;inset-inline:0;bottom:0;z-index:10;max-height:45vh;overflow:auto;" +
      "margin:0;padding:.8em 1em;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;" +
      "background:" + (errors ? "#b71c1c" : "#8d5a00") + ";color:#fff";
    var heading = document.createElement("strong");
    heading.textContent = errors
      ? errors + " problem(s) in the dossier: the preview shows the last good pages until they are fixed"
      : problems.length + " warning(s): drafts with problems are left out until fixed; the rest do not stop a build";
    box.appendChild(heading);
    problems.forEach(function (p) {
      var line = document.createElement("div");
      line.textContent = (p.warning ? "warning: " : "") + p.problem;
      box.appendChild(line);
    });
    document.body.appendChild(box);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
