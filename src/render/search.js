// gen's search page: reads the query from the URL (?q=…&cause=…), the index written by
// src/render/search.rs (keep the two in step), and shows results. Every value from the
// index is shown as text (textContent), never parsed as HTML.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var d = box.dataset;
  var root = d.root || "";
  var data = new URL("data/", document.currentScript ? document.currentScript.src : location.href);
  var FILTERS = ["cause", "operator", "year", "status"];
  var SHOWN = 100;

  // A message with a link to the list of incidents, so that no failure is silent.
  function fail(message) {
    status.textContent = message + " ";
    var a = document.createElement("a");
    a.href = d.incidentsHref;
    a.textContent = d.incidents;
    status.appendChild(a);
    list.textContent = "";
  }

  if (location.protocol === "file:") {
    fail(d.file);
    return;
  }

  // The index's folding: full-width ASCII as ASCII, lowercase; runs of letters and digits.
  function terms(q) {
    q = q.replace(/[\uFF01-\uFF5E]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    });
    return q.split(/[^\p{Alphabetic}\p{N}]+/u).filter(Boolean).map(function (t) {
      return Array.from(t, function (c) { return Array.from(c.toLowerCase())[0]; });
    });
  }

  function shardOf(a, b, shards) {
    var h = 0x811c9dc5;
    [a, b].forEach(function (n) {
      for (var i = 0; i < 4; i++) {
        h ^= (n >>> (8 * i)) & 0xff;
        h = Math.imul(h, 0x01000193) >>> 0;
      }
    });
    return h % shards;
  }

  var manifest = null;
  var shards = {};
  var chunks = {};

  function get(name, kind) {
    return fetch(new URL(name, data)).then(function (r) {
      if (!r.ok) throw new Error(name + ": " + r.status);
      return kind === "bin" ? r.arrayBuffer() : r.json();
    });
  }

  function varint(bytes, pos) {
    var v = 0, mul = 1, b;
    do {
      b = bytes[pos.at++];
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return v;
  }

  // A shard as a map from "a,b" to where that key's incidents are; they are decoded only
  // when a query asks for them.
  function shard(s) {
    if (!shards[s]) {
      shards[s] = get(s + ".bin", "bin").then(function (buf) {
        var bytes = new Uint8Array(buf);
        var pos = { at: 0 };
        var map = new Map();
        while (pos.at < bytes.length) {
          var a = varint(bytes, pos), b = varint(bytes, pos), lenBit = varint(bytes, pos);
          var len = Math.floor(lenBit / 2);
          map.set(a + "," + b, { bytes: bytes, at: pos.at, end: pos.at + len, bitmap: lenBit % 2 === 1 });
          pos.at += len;
        }
        return map;
      });
    }
    return shards[s];
  }

  // A key's incidents, as a Uint8Array with 1 for each.
  function decode(entry) {
    var n = manifest.docs;
    var set = new Uint8Array(n);
    if (!entry) return set;
    var bytes = entry.bytes;
    if (entry.bitmap) {
      for (var i = 0; i < n; i++) set[i] = (bytes[entry.at + (i >> 3)] >> (i & 7)) & 1;
    } else {
      var pos = { at: entry.at }, id = 0, first = true;
      while (pos.at < entry.end) {
        id = first ? varint(bytes, pos) : id + varint(bytes, pos);
        first = false;
        set[id] = 1;
      }
    }
    return set;
  }

  function keysOf(term) {
    var cp = term.map(function (c) { return c.codePointAt(0); });
    if (cp.length === 1) return [[cp[0], 0]];
    var out = [];
    for (var i = 0; i + 1 < cp.length; i++) out.push([cp[i], cp[i + 1]]);
    return out;
  }

  function idsOf(gaps) {
    var id = 0;
    return gaps.map(function (g, i) { id = i === 0 ? g : id + g; return id; });
  }

  function chunk(k) {
    if (!chunks[k]) chunks[k] = get("docs-" + k + ".json");
    return chunks[k];
  }

  function params() {
    var p = new URLSearchParams(location.search);
    var out = { q: p.get("q") || "" };
    FILTERS.forEach(function (f) { out[f] = p.get(f) || ""; });
    return out;
  }

  function fillForm(p) {
    input.value = p.q;
    FILTERS.forEach(function (f) { form.elements[f].value = p[f]; });
  }

  function showResults(ids, total) {
    list.textContent = "";
    var shown = ids.slice(0, SHOWN);
    var wanted = {};
    shown.forEach(function (id) { wanted[Math.floor(id / manifest.chunk)] = true; });
    return Promise.all(Object.keys(wanted).map(function (k) {
      return chunk(k).then(function (docs) { return [k, docs]; });
    })).then(function (loaded) {
      var byChunk = {};
      loaded.forEach(function (l) { byChunk[l[0]] = l[1]; });
      shown.forEach(function (id) {
        var doc = byChunk[Math.floor(id / manifest.chunk)][id % manifest.chunk];
        var li = document.createElement("li");
        var h = document.createElement("h2");
        var a = document.createElement("a");
        a.href = root + doc[0];
        a.textContent = doc[1];
        h.appendChild(a);
        li.appendChild(h);
        var dl = document.createElement("dl");
        dl.className = "result-meta";
        [[d.operator, doc[2]], [d.started, doc[3]], [d.users, doc[4]], [d.cause, doc[5]], [d.statusLabel, doc[6]]]
          .forEach(function (pair) {
            var div = document.createElement("div");
            var dt = document.createElement("dt");
            dt.textContent = pair[0];
            var dd = document.createElement("dd");
            dd.textContent = pair[1];
            div.appendChild(dt);
            div.appendChild(dd);
            dl.appendChild(div);
          });
        li.appendChild(dl);
        list.appendChild(li);
      });
      var text = total === 0 ? d.none : d.found.replace("{n}", total.toLocaleString(document.documentElement.lang));
      if (total > SHOWN) text += " " + d.shown.replace("{n}", String(SHOWN));
      status.textContent = text;
    });
  }

  function run(p) {
    var words = terms(p.q);
    var active = FILTERS.filter(function (f) { return p[f]; });
    if (!words.length && !active.length) {
      status.textContent = "";
      list.textContent = "";
      return Promise.resolve();
    }
    status.textContent = d.loading;
    var n = manifest.docs;
    var keys = [];
    words.forEach(function (t) { keys = keys.concat(keysOf(t)); });
    return Promise.all(keys.map(function (k) {
      return shard(shardOf(k[0], k[1], manifest.shards)).then(function (m) { return decode(m.get(k[0] + "," + k[1])); });
    })).then(function (sets) {
      var hit = new Uint8Array(n).fill(1);
      sets.forEach(function (set) {
        for (var i = 0; i < n; i++) hit[i] &= set[i];
      });
      active.forEach(function (f) {
        var values = manifest.filters[f] || [];
        var mask = new Uint8Array(n);
        values.forEach(function (v) {
          if (v[0] === p[f]) idsOf(v[1]).forEach(function (id) { mask[id] = 1; });
        });
        for (var i = 0; i < n; i++) hit[i] &= mask[i];
      });
      var ids = [];
      for (var i = 0; i < n; i++) if (hit[i]) ids.push(i);
      return showResults(ids, ids.length);
    });
  }

  function go(p, push) {
    if (push) {
      var u = new URLSearchParams();
      if (p.q) u.set("q", p.q);
      FILTERS.forEach(function (f) { if (p[f]) u.set(f, p[f]); });
      var qs = u.toString();
      history.pushState(null, "", qs ? "?" + qs : location.pathname);
    }
    run(p).catch(function () { fail(d.failed); });
  }

  function fromForm() {
    var p = { q: input.value.trim() };
    FILTERS.forEach(function (f) { p[f] = form.elements[f].value; });
    return p;
  }

  get("index.json").then(function (m) {
    if (m.v !== 1) throw new Error("index version " + m.v);
    manifest = m;
    FILTERS.forEach(function (f) {
      var select = form.elements[f];
      (m.filters[f] || []).forEach(function (v) {
        var o = document.createElement("option");
        o.value = v[0];
        o.textContent = v[0] + " (" + v[1].length + ")";
        select.appendChild(o);
      });
      select.addEventListener("change", function () { go(fromForm(), true); });
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      go(fromForm(), true);
    });
    window.addEventListener("popstate", function () {
      var p = params();
      fillForm(p);
      go(p, false);
    });
    var p = params();
    fillForm(p);
    go(p, false);
  }).catch(function () { fail(d.failed); });
})();
