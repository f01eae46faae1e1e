/* /articles/: filter every article of the dossier by theme, year, outlet and entity.
   The choices live in the address (?theme=…&year=…&outlet=…&entity=…) so that a filtered view
   can be shared, bookmarked and read back on load. The data is loaded with <script> elements
   only when a filter is in use (they load from file:// too, where fetch() does not): an index
   of every article, then the titles and summaries of the years the results need. Everything
   from the dossier is put on the page as text (textContent), never as HTML. */
(function () {
  "use strict";
  var form = document.querySelector("[data-dossier-filter]");
  if (!form) return;
  var all = document.querySelector("[data-dossier-all]");
  var count = form.querySelector(".dossier-filter__count");
  var results = form.querySelector(".dossier-filter__results");
  var more = form.querySelector(".dossier-filter__more");
  var FIELDS = ["theme", "year", "outlet", "entity"];
  var PAGE = 50;
  var plural = new Intl.PluralRules("ar");
  var index = null, details = {}, waiting = {}, shown = 0, matches = [];

  function load(src, done) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = done;
    document.head.appendChild(script);
  }
  window.dossierArticles = {
    index: function (data) { index = data; },
    details: function (data) {
      details[data.year] = {};
      data.articles.forEach(function (row) { details[data.year][row[0]] = row; });
      (waiting[data.year] || []).forEach(function (callback) { callback(); });
      delete waiting[data.year];
    }
  };
  function withIndex(callback) {
    if (index) callback(); else load(form.getAttribute("data-index"), callback);
  }
  function withYears(years, callback) {
    var missing = years.filter(function (year) { return !details[year]; });
    if (!missing.length) { callback(); return; }
    var left = missing.length;
    missing.forEach(function (year) {
      var done = function () { if (--left === 0) callback(); };
      if (waiting[year]) { waiting[year].push(done); return; }
      waiting[year] = [done];
      load(form.getAttribute("data-details").replace("YEAR", year), null);
    });
  }
  function chosen() {
    var values = {};
    FIELDS.forEach(function (name) { values[name] = form.elements[name].value; });
    return values;
  }
  function active(values) {
    return FIELDS.some(function (name) { return values[name]; });
  }
  function counted(n) {
    return form.getAttribute("data-count-" + plural.select(n)).replace("{n}", String(n));
  }
  function writeAddress(values) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { if (values[name]) params.set(name, values[name]); });
    var query = params.toString();
    try {
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    } catch (error) { /* some browsers refuse it from file://: the view still filters */ }
  }
  function matching(values) {
    var theme = index.themes.findIndex(function (t) { return t[0] === values.theme; });
    var outlet = index.outlets.findIndex(function (o) { return o[0] === values.outlet; });
    var entity = index.entities.findIndex(function (e) { return e[0] === values.entity; });
    return index.articles.filter(function (row) {
      return (!values.year || String(row[1]) === values.year) &&
        (!values.theme || row[2].indexOf(theme) >= 0) &&
        (!values.outlet || row[3] === outlet) &&
        (!values.entity || row[4].indexOf(entity) >= 0);
    });
  }
  function item(row) {
    var data = details[row[1]][row[0]];
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
    meta.appendChild(document.createTextNode(" · " + (outlet[1] || "الناشر غير مذكور") + " · "));
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
  function showMore() {
    var next = matches.slice(shown, shown + PAGE);
    var years = next.map(function (row) { return row[1]; }).filter(function (y, i, a) { return a.indexOf(y) === i; });
    withYears(years, function () {
      next.forEach(function (row) { results.appendChild(item(row)); });
      shown += next.length;
      more.hidden = shown >= matches.length;
    });
  }
  function apply() {
    var values = chosen();
    writeAddress(values);
    if (!active(values)) {
      results.hidden = true;
      more.hidden = true;
      count.textContent = "";
      all.hidden = false;
      return;
    }
    withIndex(function () {
      matches = matching(values);
      count.textContent = counted(matches.length);
      results.textContent = "";
      results.hidden = false;
      all.hidden = true;
      shown = 0;
      showMore();
    });
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
