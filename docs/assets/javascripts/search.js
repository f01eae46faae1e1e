/*
 * The dossier's Arabic search (replaces Material's search plugin; see sitegen/search/).
 *
 * A page carries no search data, nor this script: dossier.js loads it when the reader opens
 * search (focus on the box, "/" or "s", a button that opens it, or a URL with ?q=), and it
 * takes over from there. It loads search/manifest.js; for each query, the index shards
 * its words need; for the results shown, their document chunks. Every file is a plain script
 * that calls dossierSearch.loaded(name, data), so that search works from file:// as well.
 *
 * The rules below must stay identical to sitegen/search/tokens.py (a test compares them on
 * every word of the built index). Results are built with createElement and textContent only.
 */
(function () {
  "use strict";

  /* ------------------------------------------------------------------ Rules */

  var FOLD = {  // looked up only with the characters FOLD_RE matched, which are its own keys
    "\u0622": "\u0627",  // آ → ا
    "\u0623": "\u0627",  // أ → ا
    "\u0625": "\u0627",  // إ → ا
    "\u0671": "\u0627",  // ٱ → ا
    "\u0624": "\u0648",  // ؤ → و
    "\u0626": "\u064A",  // ئ → ي
    "\u0649": "\u064A",  // ى → ي
    "\u0629": "\u0647",  // ة → ه
    "\u06A9": "\u0643",  // ک → ك
    "\u06CC": "\u064A",  // ی → ي
    "\u06BE": "\u0647"   // ھ → ه
  };
  for (var d = 0; d < 10; d++) {  // Arabic-Indic and Persian digits → ASCII
    FOLD[String.fromCharCode(0x0660 + d)] = String(d);
    FOLD[String.fromCharCode(0x06F0 + d)] = String(d);
  }
  var FOLD_RE = new RegExp("[" + Object.keys(FOLD).join("") + "]", "g");
  // Harakat and other marks, dagger alef, tatweel, zero-width and bidi marks.
  var DROP_RE = /[\u064B-\u065F\u0670\u0640\u200B-\u200F\u061C\u2066-\u2069\uFEFF]/g;
  // Cuts between words: white space (JavaScript's \s, spelled out as in Python), hyphens,
  // punctuation, quotes, brackets, "." unless a digit follows, HTML character references.
  var WHITE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
  var SEPARATOR_SOURCE = "[" + WHITE + "\\-]+" +
    "|[" + WHITE + "\\u060c\\u061b\\u061f\\u06d4" +
    "\"\\u00ab\\u00bb\\u201c\\u201d\\u201e\\u201f\\u2018\\u2019\\u2039\\u203a" +
    "()\\[\\]{}<>!?;:,/\\\\|\\u2026\\u2013\\u2014]+" +
    "|\\.(?![0-9])" +
    "|&(?:[a-zA-Z]+|#[0-9]+|#[xX][0-9a-fA-F]+);";
  var WORD_CHAR_RE = /^[\p{L}\p{N}]$/u;
  var KEPT_RE = /^[\p{L}\p{N}\p{M}]$/u;  // what a marked word keeps at its end
  // A reader's query is cut to its first MAX_TERMS distinct words, and a word longer than
  // MAX_WORD characters (no word of a text, but a pasted run of symbols) is passed over: the
  // work a query costs stays small whatever is typed or linked (tokens.py: the same limits).
  var MAX_WORD = 64;
  var MAX_TERMS = 16;
  // Attached prefixes, tried in order, with the letters that must remain after each.
  var PREFIXES = [["\u0627\u0644", 2], ["\u0644\u0644", 2], ["\u0648", 3], ["\u0641", 3],
                  ["\u0628", 3], ["\u0643", 3], ["\u0644", 3]];
  var MIN_PREFIX = 3;  // a query word this long or longer also matches the terms it begins

  function length(s) { return Array.from(s).length; }  // in code points, as Python's len()

  // Drop what is not a letter or a digit from both ends (tokens.py: trim). A loop over code
  // points, not a regular expression: "[^…]+$" is tried at every position and so costs the
  // square of a long run of symbols.
  function trim(word) {
    var chars = Array.from(word), start = 0, end = chars.length;
    while (start < end && !WORD_CHAR_RE.test(chars[start])) start++;
    while (end > start && !WORD_CHAR_RE.test(chars[end - 1])) end--;
    return chars.slice(start, end).join("");
  }

  // Lower case one character at a time (as Python folds), marks dropped, letters folded.
  function normalize(text) {
    return Array.from(String(text), function (c) { return c.toLowerCase(); }).join("")
      .replace(DROP_RE, "")
      .replace(FOLD_RE, function (c) { return FOLD[c]; });
  }

  // The raw words of a text, with where they are: [[start, end], ...].
  function spans(text) {
    var re = new RegExp(SEPARATOR_SOURCE, "g"), out = [], start = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > start) out.push([start, m.index]);
      start = m.index + m[0].length;
    }
    if (text.length > start) out.push([start, text.length]);
    return out;
  }

  function split(text) {
    return spans(text).map(function (s) { return text.slice(s[0], s[1]); });
  }

  // A word's forms: normalised and trimmed, then one more per stripped prefix.
  function forms(word) {
    var w = trim(normalize(word));
    var chain = w ? [w] : [], left = length(w);  // prefixes are single code units: left counts down
    for (var i = 0; w && i < PREFIXES.length; i++) {
      var p = PREFIXES[i][0];
      if (w.lastIndexOf(p, 0) === 0 && left - p.length >= PREFIXES[i][1]) {
        left -= p.length;
        chain.push(w = w.slice(p.length));
        i = -1;  // start again with the first prefix on the shorter word
      }
    }
    return chain;
  }

  function core(word) {
    var chain = forms(word);
    return chain.length ? chain[chain.length - 1] : "";
  }

  // The words of a query that are searched: those of MAX_WORD characters or fewer.
  function queryWords(query) {
    return split(query).filter(function (word) { return word.length <= 2 * MAX_WORD && length(word) <= MAX_WORD; });
  }

  // A query as [{core, prefix}] in order, without repeats, at most MAX_TERMS of them.
  function queryTerms(query) {
    var out = [], seen = new Set();
    queryWords(query).forEach(function (word) {
      var c = core(word);
      if (!c || out.length >= MAX_TERMS) return;
      var prefix = length(trim(normalize(word))) >= MIN_PREFIX;
      if (!seen.has(c + "\u0000" + prefix)) {
        seen.add(c + "\u0000" + prefix);
        out.push({core: c, prefix: prefix});
      }
    });
    return out;
  }

  // What a query or a name is as a whole, to find an entity named exactly what was typed:
  // the cores of its words, space-separated (tokens.py: name_key).
  function nameKey(text) {
    return queryWords(text).map(core).filter(Boolean).join(" ");
  }

  function termMatches(term, t) {
    return t.prefix ? term.lastIndexOf(t.core, 0) === 0 : term === t.core;
  }

  /* ------------------------------------------------------------------ Loading */

  var script = document.currentScript;
  var root = script ? script.src.replace(/assets\/javascripts\/search\.js(?:[?#].*)?$/, "") : "";
  // Every table below is a Map (or a Set): its keys come from the index or from what the reader
  // typed, and a plain object would answer "constructor" or "__proto__" from its prototype.
  var waiting = new Map();  // file name → {promise, resolve}

  window.dossierSearch = {
    loaded: function (name, data) {
      var entry = waiting.get(name);
      if (entry && entry.resolve) { entry.resolve(data); entry.resolve = null; }
    }
  };

  // Load search/<name>.js once; resolves with the data it registers.
  function load(name) {
    var entry = waiting.get(name);
    if (entry) return entry.promise;
    entry = {};
    waiting.set(name, entry);
    entry.promise = new Promise(function (resolve, reject) {
      entry.resolve = resolve;
      var el = document.createElement("script");
      el.src = root + "search/" + name + ".js";
      el.async = true;
      el.onload = function () {
        el.remove();
        if (entry.resolve) { waiting.delete(name); reject(new Error("no data in " + name)); }
      };
      el.onerror = function () { el.remove(); waiting.delete(name); reject(new Error("cannot load " + name)); };
      document.head.appendChild(el);
    });
    return entry.promise;
  }

  var manifest = null;       // {documents, chunk, chunks, keys: Map key → file, names: Map name key → [ids]}
  var shards = new Map();    // file → Map term → "head;body"
  var decoded = new Map();   // file + term → [head ids, body ids]

  function loadManifest() {
    return load("manifest").then(function (data) {
      if (!manifest) {
        var keys = new Map(), names = new Map();
        data.shards.forEach(function (row) {
          for (var i = 1; i < row.length; i++) keys.set(row[i], row[0]);
        });
        (data.names || []).forEach(function (row) { names.set(row[0], row.slice(1)); });
        manifest = {documents: data.documents, chunk: data.chunk, chunks: data.chunks, keys: keys,
                    keyList: Array.from(keys.keys()), names: names};
      }
      return manifest;
    });
  }

  // The shard files a query term needs: the one of the longest key that begins it, and for
  // a prefix term those of every key that it begins.
  function filesFor(t) {
    var files = [], keys = manifest.keys;
    for (var n = t.core.length; n > 0; n--) {
      var file = keys.get(t.core.slice(0, n));
      if (file) { files.push(file); break; }
    }
    if (t.prefix)
      manifest.keyList.forEach(function (key) {
        if (key.length > t.core.length && key.lastIndexOf(t.core, 0) === 0 && files.indexOf(keys.get(key)) < 0)
          files.push(keys.get(key));
      });
    return files;
  }

  function loadShard(file) {
    return shards.has(file) ? Promise.resolve()
      : load(file).then(function (data) { shards.set(file, new Map(Object.entries(data))); });
  }

  function ids(text) {  // "0,2,a" → [0, 3, 14]: base-36 distances from the previous one, less one
    var out = [], n = -1;
    if (text) text.split(",").forEach(function (part) { n += parseInt(part, 36) + 1; out.push(n); });
    return out;
  }

  function postings(file, term) {
    var key = file + "\u0000" + term;
    if (!decoded.has(key)) {
      var parts = shards.get(file).get(term).split(";");
      decoded.set(key, [ids(parts[0]), ids(parts[1])]);
    }
    return decoded.get(key);
  }

  /* ------------------------------------------------------------------ Search */

  // Documents matching the query, best first: an entity named (or also known as) exactly the
  // query, then all the words (else some), more words in the title or summary, then newest
  // (documents are numbered newest first).
  function search(terms, query) {
    var n = manifest.documents, matched = new Uint8Array(n), head = new Uint8Array(n), named = new Uint8Array(n);
    (manifest.names.get(nameKey(query)) || []).forEach(function (id) { named[id] = 1; });
    terms.forEach(function (t) {
      var where = new Uint8Array(n);  // 2: title or summary, 1: body
      filesFor(t).forEach(function (file) {
        var shard = shards.get(file);
        var candidates = t.prefix ? Array.from(shard.keys()) : (shard.has(t.core) ? [t.core] : []);
        candidates.forEach(function (term) {
          if (!termMatches(term, t)) return;
          var lists = postings(file, term);
          lists[0].forEach(function (id) { where[id] = 2; });
          lists[1].forEach(function (id) { if (!where[id]) where[id] = 1; });
        });
      });
      for (var id = 0; id < n; id++) if (where[id]) { matched[id]++; if (where[id] === 2) head[id]++; }
    });
    var all = [], some = [];
    for (var id = 0; id < n; id++) if (matched[id]) (matched[id] === terms.length ? all : some).push(id);
    var found = all.length ? all : some;
    return found.sort(function (a, b) {
      return named[b] - named[a] || matched[b] - matched[a] || head[b] - head[a] || a - b;
    });
  }

  function documentsOf(idList) {
    var chunks = new Set();
    idList.forEach(function (id) { chunks.add(Math.floor(id / manifest.chunk)); });
    return Promise.all(Array.from(chunks, function (c) {
      return load(manifest.chunks[c]).then(function (rows) { return [c, rows]; });
    })).then(function (loaded) {
      var rows = new Map(loaded);
      return idList.map(function (id) { return rows.get(Math.floor(id / manifest.chunk))[id % manifest.chunk]; });
    });
  }

  /* ------------------------------------------------------------------ Showing */

  var PAGE = 10;
  var plural = new Intl.PluralRules("ar");

  // "{n} نتائج" for the count's CLDR category, from the template's data-count-* attributes.
  function countText(n, el) {
    var form = el.getAttribute("data-count-" + plural.select(n)) || el.getAttribute("data-count-other");
    return form.replace("{n}", String(n));
  }

  // The length of a word without what ends it that is not a letter, digit or mark (a loop, as
  // trim: a regular expression anchored at the end would be tried at every position).
  function trimEnd(word) {
    var end = word.length;
    while (end > 0) {
      var unit = word.charCodeAt(end - 1), size = unit >= 0xDC00 && unit <= 0xDFFF && end > 1 ? 2 : 1;
      if (KEPT_RE.test(word.slice(end - size, end))) break;
      end -= size;
    }
    return end;
  }

  // Text with the words that match the query terms in <mark> (whole words, as written).
  function marked(text, terms) {
    var fragment = document.createDocumentFragment(), at = 0;
    spans(text).forEach(function (s) {
      var word = text.slice(s[0], s[1]);
      var hit = forms(word).some(function (f) { return terms.some(function (t) { return termMatches(f, t); }); });
      if (!hit) return;
      // the word without the punctuation at its ends (marks stay with their letters)
      var start = s[0] + word.search(/[\p{L}\p{N}]/u);
      var end = s[0] + trimEnd(word);
      if (start > at) fragment.appendChild(document.createTextNode(text.slice(at, start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      fragment.appendChild(mark);
      at = end;
    });
    if (at < text.length) fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function resultItem(doc, terms, index) {
    // doc: [url, title, kind_label, date_iso, date_label, summary]
    var li = element("li", "md-search-result__item");
    li.id = "dossier-search-result-" + index;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    var a = element("a", "md-search-result__link");
    a.href = root + doc[0];
    a.tabIndex = -1;
    var article = element("article", "md-search-result__article md-search-result__article--document md-typeset");
    var title = element("h1");
    title.appendChild(marked(doc[1], terms));
    var meta = element("p", "dossier-search__meta");
    meta.appendChild(element("span", "dossier-search__kind", doc[2]));
    if (doc[4]) {
      meta.appendChild(document.createTextNode(" · "));
      var time = element("time", "dossier-search__date", doc[4]);
      time.setAttribute("datetime", doc[3]);
      meta.appendChild(time);
    }
    var summary = element("p", "dossier-search__summary");
    summary.appendChild(marked(doc[5], terms));
    article.appendChild(title);
    article.appendChild(meta);
    article.appendChild(summary);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  /* ------------------------------------------------------------------ The box */

  var box = document.querySelector("[data-dossier-search]");
  var toggle = document.getElementById("__search");
  if (!box || !toggle) return;
  var input = box.querySelector("input.md-search__input");
  var form = box.querySelector("form");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var more = box.querySelector(".dossier-search__more");

  var state = {seq: 0, results: [], terms: [], shown: 0, active: -1};
  var timer = 0;

  function say(text) { if (meta.textContent !== text) meta.textContent = text; }

  function open() {
    if (!toggle.checked) toggle.click();  // Material's overlay and keyboard mode follow the toggle
    if (document.activeElement !== input) input.focus();
    loadManifest().catch(failed);
  }

  function close() {
    if (toggle.checked) toggle.click();
    input.blur();
  }

  function failed() { say(meta.getAttribute("data-failed")); }

  function clear() {
    while (list.firstChild) list.removeChild(list.firstChild);
    state.results = [];
    state.shown = 0;
    setActive(-1);
    more.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  // Search the box's text: at once if its shards are loaded, else after a short pause
  // (typed letters coming fast need no shards of their own).
  function update() {
    var seq = ++state.seq, query = input.value;
    clearTimeout(timer);
    var terms = queryTerms(query);
    box.removeAttribute("data-shown");
    if (!terms.length) { clear(); meta.removeAttribute("data-count"); say(meta.getAttribute("data-idle")); return; }
    var ready = manifest && terms.every(function (t) {
      return filesFor(t).every(function (f) { return shards.has(f); });
    });
    var run = function () {
      loadManifest().then(function () {
        return Promise.all([].concat.apply([], terms.map(filesFor)).map(loadShard));
      }).then(function () {
        if (seq !== state.seq) return;
        var results = search(terms, query);
        clear();
        state.results = results;
        state.terms = terms;
        say(countText(results.length, meta));
        meta.setAttribute("data-count", results.length);
        return showMore(seq).then(function () {
          if (seq === state.seq) box.setAttribute("data-shown", query);  // for tests: this query is shown
        });
      }).catch(function () { if (seq === state.seq) failed(); });
    };
    if (ready) run();
    else {
      if (!manifest) say(meta.getAttribute("data-loading"));
      timer = setTimeout(run, 120);
    }
  }

  // Add the next PAGE results to the list (their document chunks loaded first).
  function showMore(seq) {
    var next = state.results.slice(state.shown, state.shown + PAGE);
    return documentsOf(next).then(function (docs) {
      if (seq !== state.seq) return;
      docs.forEach(function (doc, i) { list.appendChild(resultItem(doc, state.terms, state.shown + i)); });
      state.shown += docs.length;
      more.hidden = state.shown >= state.results.length;
      input.setAttribute("aria-expanded", state.shown ? "true" : "false");
    });
  }

  function setActive(index) {
    var items = list.children;
    if (state.active >= 0 && items[state.active]) items[state.active].setAttribute("aria-selected", "false");
    state.active = index;
    if (index >= 0 && items[index]) {
      items[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  input.addEventListener("focus", open);
  input.addEventListener("input", update);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(update); input.focus(); });
  more.addEventListener("click", function () { showMore(state.seq).catch(failed); });
  toggle.addEventListener("change", function () {
    if (toggle.checked) open();
  });

  input.addEventListener("keydown", function (ev) {
    var count = list.children.length;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!count) return;
      var step = ev.key === "ArrowDown" ? 1 : -1;
      setActive(state.active < 0 ? (step > 0 ? 0 : count - 1) : (state.active + step + count) % count);
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      var item = list.children[state.active < 0 ? 0 : state.active];
      if (item) item.querySelector("a").click();
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      close();
    }
  });

  // Escape in the box closes search (above); from elsewhere on the page, dossier.js does.

  // Loaded as search opened: open it as dossier.js left it, with what the reader typed while
  // this script came; a link to a page with ?q=… opens it with that query.
  var q = new URLSearchParams(location.search).get("q");
  if (q) input.value = q;
  if (q || toggle.checked || document.activeElement === input) {
    open();
    if (input.value) update();
  }

  // For tests and the curious: the rules, and the count's wording.
  window.dossierSearch.rules = {normalize: normalize, split: split, forms: forms, core: core,
                                queryTerms: queryTerms, nameKey: nameKey};
  window.dossierSearch.countText = function (n) { return countText(n, meta); };
})();
