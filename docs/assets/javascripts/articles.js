/* /articles/: filter every article of the dossier by theme, year, outlet and entity.
   The choices live in the address (?theme=…&year=…&outlet=…&entity=…) so that a filtered view
   can be shared, bookmarked and read back on load. The data is loaded with <script> elements
   only when a filter is in use (they load from file:// too, where fetch() does not): an index
   of every article, then the titles and summaries of the years the results need. Everything
   from the dossier is put on the page as text (textContent), never as HTML; the words the
   script writes itself come from the form's data-* attributes (templates/labels.yml).
   Tables keyed by data or by the address are Maps and Sets, never plain objects: a value such
   as "constructor" must find nothing rather than Object.prototype's function. */
(function () {
  "use strict";
  var form = document.querySelector("[data-dossier-filter]");
  if (!form) return;
  var all = document.querySelector("[data-dossier-all]");
  var lead = document.querySelector("[data-dossier-lead]");
  var count = form.querySelector(".dossier-filter__count");
  var results = form.querySelector(".dossier-filter__results");
  var more = form.querySelector(".dossier-filter__more");
  var FIELDS = ["theme", "year", "outlet", "entity"];
  var PAGE = 50;
  var plural = new Intl.PluralRules("ar");
  var index = null, shown = 0, matches = [];
  var details = new Map();  // year → Map article id → [id, title, date label, date, summary]
  var waiting = new Map();  // year (or "index") → [{done, fail}] until its script has run
  // Each change of the filters starts a new view; a script that arrives late (a slow year)
  // only adds rows to the view that asked for it, so the last change always wins.
  var view = 0;

  // Load a data script once; done() when it has handed over its data, fail() if it cannot.
  function load(key, src, done, fail) {
    if (waiting.has(key)) { waiting.get(key).push({done: done, fail: fail}); return; }
    waiting.set(key, [{done: done, fail: fail}]);
    var script = document.createElement("script");
    script.src = src;
    // A script that ran has settled its key already; one that ran without handing data over fails.
    script.onload = function () { script.remove(); settle(key, "fail"); };
    script.onerror = function () { script.remove(); settle(key, "fail"); };
    document.head.appendChild(script);
  }
  function settle(key, outcome) {
    var callbacks = waiting.get(key) || [];
    waiting.delete(key);
    callbacks.forEach(function (callback) { callback[outcome](); });
  }
  window.dossierArticles = {
    index: function (data) { index = data; settle("index", "done"); },
    details: function (data) {
      var rows = new Map();
      data.articles.forEach(function (row) { rows.set(row[0], row); });
      details.set(data.year, rows);
      settle(data.year, "done");
    }
  };
  function withIndex(done, fail) {
    if (index) done(); else load("index", form.getAttribute("data-index"), done, fail);
  }
  function withYears(years, done, fail) {
    var missing = years.filter(function (year) { return !details.has(year); });
    var left = missing.length, failed = false;
    if (!left) { done(); return; }
    missing.forEach(function (year) {
      load(year, form.getAttribute("data-details").replace("YEAR", year),
        function () { if (--left === 0 && !failed) done(); },
        function () { if (!failed) { failed = true; fail(); } });
    });
  }
  function chosen() {
    var values = new Map();
    FIELDS.forEach(function (name) { values.set(name, form.elements[name].value); });
    return values;
  }
  function active(values) {
    return FIELDS.some(function (name) { return values.get(name); });
  }
  function counted(n) {
    return form.getAttribute("data-count-" + plural.select(n)).replace("{n}", String(n));
  }
  function writeAddress(values) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { if (values.get(name)) params.set(name, values.get(name)); });
    var query = params.toString();
    try {
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    } catch (error) { /* some browsers refuse it from file://: the view still filters */ }
  }
  // An article's values for each field, as the form's options spell them.
  function valuesOf(row) {
    return new Map([
      ["theme", row[2].map(function (t) { return index.themes[t][0]; })],
      ["year", [String(row[1])]],
      ["outlet", [index.outlets[row[3]][0]]],
      ["entity", row[4].map(function (e) { return index.entities[e][0]; })]
    ]);
  }
  function fits(row, values, except) {
    var own = valuesOf(row);
    return FIELDS.every(function (name) {
      return name === except || !values.get(name) || own.get(name).indexOf(values.get(name)) >= 0;
    });
  }
  function matching(values) {
    return index.articles.filter(function (row) { return fits(row, values, null); });
  }
  // Offer only the options that lead to articles with the other filters as they are: a year
  // (or theme, outlet, entity) that no chosen article has is hidden and disabled.
  function narrowOptions(values) {
    FIELDS.forEach(function (name) {
      var offered = new Set();
      index.articles.forEach(function (row) {
        if (fits(row, values, name)) valuesOf(row).get(name).forEach(function (v) { offered.add(v); });
      });
      [].forEach.call(form.elements[name].options, function (option) {
        var off = option.value !== "" && option.value !== values.get(name) && !offered.has(option.value);
        option.disabled = off;
        option.hidden = off;
      });
    });
  }
  function item(row) {
    var data = details.get(row[1]).get(row[0]);
    var li = document.createElement("li");
    li.className = "dossier-item";
    var title = document.createElement("a");
    title.className = "dossier-item__title";
    title.href = form.getAttribute("data-article-url").replace("ID", row[0]);
    title.textContent = data[1];
    var meta = document.createElement("div");
    meta.className = "dossier-item__meta";
    var time = document.createElement("time");
    time.className = "dossier-date";
    time.setAttribute("datetime", data[3]);
    time.textContent = data[2];
    meta.appendChild(time);
    var outlet = index.outlets[row[3]];
    meta.appendChild(document.createTextNode(" · " + (outlet[1] || form.getAttribute("data-unknown-outlet")) + " · "));
    row[2].forEach(function (theme, position) {
      if (position) meta.appendChild(document.createTextNode("، "));
      var link = document.createElement("a");
      link.className = "dossier-theme-link";
      link.href = form.getAttribute("data-theme-url").replace("ID", index.themes[theme][0]);
      link.textContent = index.themes[theme][1];
      meta.appendChild(link);
    });
    var summary = document.createElement("p");
    summary.className = "dossier-item__summary";
    summary.textContent = data[4];
    li.appendChild(title);
    li.appendChild(meta);
    li.appendChild(summary);
    return li;
  }
  function failed(forView) {
    if (forView !== view) return;
    count.textContent = form.getAttribute("data-failed");
    more.hidden = true;
  }
  function showMore() {
    var forView = view;
    var next = matches.slice(shown, shown + PAGE);
    var years = Array.from(new Set(next.map(function (row) { return row[1]; })));
    withYears(years, function () {
      if (forView !== view) return;  // the filters changed while this year loaded
      next.forEach(function (row) { results.appendChild(item(row)); });
      shown += next.length;
      more.hidden = shown >= matches.length;
    }, function () { failed(forView); });
  }
  function apply() {
    var values = chosen(), forView = ++view;
    writeAddress(values);
    if (!active(values)) {
      results.hidden = true;
      more.hidden = true;
      count.textContent = "";
      all.hidden = false;
      if (lead) lead.hidden = false;
      if (index) narrowOptions(values);
      return;
    }
    withIndex(function () {
      if (forView !== view) return;
      matches = matching(values);
      narrowOptions(values);
      count.textContent = counted(matches.length);
      results.textContent = "";
      results.hidden = false;
      all.hidden = true;
      if (lead) lead.hidden = true;  // its count is of every article: the filter's count replaces it
      shown = 0;
      more.hidden = true;
      showMore();
    }, function () { failed(forView); });
  }
  function readAddress() {
    var params = new URLSearchParams(location.search);
    FIELDS.forEach(function (name) {
      var value = params.get(name) || "";
      var select = form.elements[name];
      if ([].some.call(select.options, function (option) { return option.value === value; })) select.value = value;
    });
  }
  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  more.querySelector("button").addEventListener("click", showMore);
  readAddress();
  if (active(chosen())) apply();
})();
