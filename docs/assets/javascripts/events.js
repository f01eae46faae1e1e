/* Filters read from the address, so that a filtered view can be shared and works from file://:
   /timeline/?attribution=KIND shows only the events a report of which credits KIND;
   /map/?year=YYYY shows only the places where that year's events happened.
   Without JavaScript (or with a value the page does not offer) the full list or map shows.
   A value from the address is only ever looked up in a Map built from the page's own links,
   and put on the page as text. */
(function () {
  "use strict";
  var plural = new Intl.PluralRules("ar");
  function counted(holder, n) {
    return holder.getAttribute("data-count-" + plural.select(n)).replace("{n}", String(n));
  }
  // The choices a filter offers: value → its link, from the page's own markup.
  function choices(nav, attribute) {
    var found = new Map();
    nav.querySelectorAll("a[" + attribute + "]").forEach(function (link) {
      found.set(link.getAttribute(attribute), link);
    });
    return found;
  }
  function has(element, attribute, value) {
    return (element.getAttribute(attribute) || "").split(" ").indexOf(value) !== -1;
  }
  function setUp() {
    var params = new URLSearchParams(location.search);
    var timeline = document.querySelector("[data-dossier-attribution-filter]");
    if (timeline) {
      var kinds = choices(timeline, "data-kind");
      var kind = params.get("attribution");
      var link = kind === null ? undefined : kinds.get(kind);
      if (link) {
        var shown = 0;
        document.querySelectorAll(".dossier-timeline__entry").forEach(function (entry) {
          entry.hidden = !has(entry, "data-attribution", kind);
          if (!entry.hidden) shown += 1;
        });
        document.querySelectorAll(".dossier-timeline__year").forEach(function (section) {
          section.hidden = !section.querySelector(".dossier-timeline__entry:not([hidden])");
          var jump = document.querySelector('.dossier-year-links a[href="#' + section.querySelector("h2, h3").id + '"]');
          if (jump) jump.parentNode.hidden = section.hidden;
        });
        link.setAttribute("aria-current", "true");
        timeline.querySelector(".dossier-filter__status").textContent =
          counted(timeline, shown) + " — " + link.textContent;
      }
    }
    var map = document.querySelector("[data-dossier-year-filter]");
    if (map) {
      var years = choices(map, "data-year");
      var year = params.get("year");
      var chosen = year === null ? undefined : years.get(year);
      if (chosen) {
        var places = 0;
        document.querySelectorAll(".dossier-map__place").forEach(function (point) {
          var off = !has(point, "data-years", year);
          point.classList.toggle("dossier-map__place--off", off);
          if (!off) places += 1;
        });
        document.querySelectorAll(".dossier-map-page__lists li[data-years]").forEach(function (item) {
          item.hidden = !has(item, "data-years", year);
        });
        document.querySelectorAll(".dossier-map-page__lists li:not([data-years])").forEach(function (item) {
          item.hidden = true;
        });
        chosen.setAttribute("aria-current", "true");
        map.querySelector(".dossier-filter__status").textContent = counted(map, places) + " — " + chosen.textContent;
      }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp, { once: true });  // once: Material's loader gives the event again (main.html)
  else setUp();
})();
