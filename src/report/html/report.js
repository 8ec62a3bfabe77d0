// trustlint report: table filters, graph zoom and pan, chain view.
// Text from the data is only ever set with textContent.
(function () {
  "use strict";
  var dataEl = document.getElementById("reach-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : { nodes: {}, hops: [], reach: {} };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- findings table filters (also read from the URL fragment:
  // #rule=NAME&severity=error&account=ID&q=TEXT&node=ID)
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings tbody tr.finding"));
  var fSev = document.getElementById("f-severity");
  var fRule = document.getElementById("f-rule");
  var fAcct = document.getElementById("f-account");
  var fText = document.getElementById("f-text");
  var shown = document.getElementById("shown");

  function applyFilters() {
    var sev = fSev ? fSev.value : "", rule = fRule ? fRule.value : "";
    var acct = fAcct ? fAcct.value : "", q = fText ? fText.value.trim().toLowerCase() : "";
    var n = 0;
    rows.forEach(function (r) {
      var ok = (!sev || r.dataset.severity === sev) && (!rule || r.dataset.rule === rule) &&
        (!acct || r.dataset.account === acct) && (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    if (shown) shown.textContent = n === rows.length ? String(n) : n + " of " + rows.length;
  }

  function setSelect(sel, value) {
    if (!sel) return;
    for (var i = 0; i < sel.options.length; i++) {
      if (sel.options[i].value === value || sel.options[i].text === value) { sel.selectedIndex = i; return; }
    }
    sel.selectedIndex = 0;
  }

  function writeFragment() {
    var p = [];
    if (fSev && fSev.value) p.push("severity=" + encodeURIComponent(fSev.value));
    if (fRule && fRule.value) p.push("rule=" + encodeURIComponent(fRule.value));
    if (fAcct && fAcct.value) p.push("account=" + encodeURIComponent(fAcct.value));
    if (fText && fText.value) p.push("q=" + encodeURIComponent(fText.value));
    if (current !== null) p.push("node=" + current);
    try { history.replaceState(null, "", p.length ? "#" + p.join("&") : location.pathname + location.search); } catch (e) { /* file: URLs in some browsers */ }
  }

  function readFragment() {
    var h = location.hash.replace(/^#/, "");
    if (h.indexOf("doc-") === 0) {
      var doc = document.getElementById(h);
      if (doc) { var d = doc.querySelector("details"); if (d) d.open = true; }
      return;
    }
    if (h.indexOf("=") < 0) return;
    var params = {};
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) {
        try { params[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " ")); } catch (e) { /* bad escape */ }
      }
    });
    setSelect(fSev, params.severity || "");
    setSelect(fRule, params.rule || "");
    setSelect(fAcct, params.account || "");
    if (fText) fText.value = params.q || "";
    applyFilters();
    if (params.node !== undefined && data.reach[params.node]) showReach(params.node, false);
  }

  [fSev, fRule, fAcct].forEach(function (s) { if (s) s.addEventListener("change", function () { applyFilters(); writeFragment(); }); });
  if (fText) fText.addEventListener("input", function () { applyFilters(); writeFragment(); });
  Array.prototype.forEach.call(document.querySelectorAll("a.rule-filter"), function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      setSelect(fRule, a.dataset.rule);
      applyFilters();
      writeFragment();
      document.getElementById("findings-section").scrollIntoView();
    });
  });

  // ---- graph: zoom and pan by the viewBox
  var svg = document.getElementById("graph");
  var vb = null;
  function setView() { if (svg && vb) svg.setAttribute("viewBox", vb.x + " " + vb.y + " " + vb.w + " " + vb.h); }
  // The whole drawing (or, to start with, its width, so that names stay
  // readable), never larger than 1:1.
  function fit(whole) {
    if (!svg) return;
    vb = { x: 0, y: 0, w: +svg.dataset.width, h: +svg.dataset.height };
    var r = svg.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) {
      var scale = Math.max(vb.w / r.width, whole === true ? vb.h / r.height : 0, 1);
      vb.w = r.width * scale; vb.h = r.height * scale;
    }
    setView();
  }
  function zoom(factor, cx, cy) {
    if (!vb) return;
    if (cx === undefined) { cx = vb.x + vb.w / 2; cy = vb.y + vb.h / 2; }
    vb.x = cx - (cx - vb.x) * factor; vb.y = cy - (cy - vb.y) * factor;
    vb.w *= factor; vb.h *= factor;
    setView();
  }
  function toGraph(ev) {
    var r = svg.getBoundingClientRect();
    return { x: vb.x + (ev.clientX - r.left) / r.width * vb.w, y: vb.y + (ev.clientY - r.top) / r.height * vb.h };
  }
  if (svg) {
    fit();
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = toGraph(ev);
      zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    var drag = null, moved = false;
    svg.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, vx: vb.x, vy: vb.y }; moved = false; svg.classList.add("dragging"); });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      var dx = (ev.clientX - drag.x) / r.width * vb.w, dy = (ev.clientY - drag.y) / r.height * vb.h;
      if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) moved = true;
      vb.x = drag.vx - dx; vb.y = drag.vy - dy;
      setView();
    });
    window.addEventListener("mouseup", function () { drag = null; svg.classList.remove("dragging"); });
    svg.addEventListener("click", function (ev) {
      if (moved) return;
      var g = ev.target.closest ? ev.target.closest(".node") : null;
      if (g && g.dataset.n !== undefined) showReach(g.dataset.n, true);
      else clearFocus();
    });
    var zi = document.getElementById("zoom-in"), zo = document.getElementById("zoom-out"), zf = document.getElementById("zoom-fit");
    if (zi) zi.addEventListener("click", function () { zoom(1 / 1.3); });
    if (zo) zo.addEventListener("click", function () { zoom(1.3); });
    if (zf) zf.addEventListener("click", function () { fit(true); });
  }

  // ---- chain view
  var panel = document.getElementById("reach-panel");
  var current = null;
  function label(n) { var d = data.nodes[n]; return d ? d.l : "#" + n; }

  function clearFocus() {
    if (!svg) return;
    svg.classList.remove("focus");
    Array.prototype.forEach.call(svg.querySelectorAll(".on, .selected"), function (e) { e.classList.remove("on"); e.classList.remove("selected"); });
  }

  function focus(id, chains) {
    if (!svg) return;
    clearFocus();
    var on = {}; on[id] = true;
    chains.forEach(function (c) { c.forEach(function (h) { var hop = data.hops[h]; on[hop.f] = true; on[hop.t] = true; }); });
    var index = {};
    Array.prototype.forEach.call(svg.querySelectorAll(".node[data-n]"), function (g) {
      index[g.dataset.i] = g.dataset.n;
      if (on[g.dataset.n]) g.classList.add("on");
      if (g.dataset.n === String(id)) g.classList.add("selected");
    });
    Array.prototype.forEach.call(svg.querySelectorAll(".edge"), function (p) {
      if (on[index[p.dataset.from]] && on[index[p.dataset.to]]) p.classList.add("on");
    });
    svg.classList.add("focus");
  }

  function chainBlock(c, backward) {
    var div = el("div", "chain");
    var first = data.hops[c[0]], last = data.hops[c[c.length - 1]];
    var end = backward ? first.f : last.t;
    var who = el("div", "who", label(end));
    var node = data.nodes[end];
    if (node) {
      who.appendChild(el("span", "tag", node.k));
      if (node.o) who.appendChild(el("span", "tag out", "outside your accounts"));
    }
    div.appendChild(who);
    if (!backward) div.appendChild(el("div", "hop", "from " + label(first.f)));
    c.forEach(function (h, i) {
      var hop = data.hops[h];
      var text = "→ " + label(hop.t);
      if (hop.r && hop.r.length) text += "  (needs " + hop.r.join(", ") + ")";
      if (i > 0) text += "  (chained: session capped at 1 h)";
      div.appendChild(el("div", "hop", text));
      if (hop.trust) div.appendChild(el("div", "place", "trust:    " + hop.trust));
      if (hop.identity) div.appendChild(el("div", "place", "identity: " + hop.identity));
    });
    return div;
  }

  function showReach(id, scroll) {
    var r = data.reach[id];
    if (!panel) return;
    current = id;
    panel.hidden = false;
    panel.textContent = "";
    panel.appendChild(el("h3", "", label(id)));
    if (!r) {
      panel.appendChild(el("p", "note", "No chains were computed for this principal: run trustlint paths --to or --from with its name."));
      focus(id, []);
      writeFragment();
      return;
    }
    var to = r.to || [], from = r.from || [];
    var node = data.nodes[id];
    if (node && node.k === "role") {
      panel.appendChild(el("h4", "", "Who can reach it: " + (r.to_total || 0) + " principal(s)" +
        ((r.to_total || 0) > to.length ? ", the " + to.length + " nearest shown" : "")));
      to.forEach(function (c) { panel.appendChild(chainBlock(c, true)); });
      (r.accounts || []).forEach(function (t) {
        var div = el("div", "chain");
        div.appendChild(el("div", "who", "principals of account " + t.account + " that its identity policies allow"));
        div.appendChild(el("div", "hop", "→ " + label(id) + (t.r && t.r.length ? "  (needs " + t.r.join(", ") + ")" : "") + "  [account-wide trust]"));
        div.appendChild(el("div", "place", "trust:    " + t.trust));
        panel.appendChild(div);
      });
      if (!to.length && !(r.accounts || []).length) panel.appendChild(el("p", "note", "Nothing in the data can reach it."));
    }
    panel.appendChild(el("h4", "", "What it can reach: " + (r.from_total || 0) + " principal(s)" +
      ((r.from_total || 0) > from.length ? ", the " + from.length + " nearest shown" : "")));
    from.forEach(function (c) { panel.appendChild(chainBlock(c, false)); });
    if (!from.length) panel.appendChild(el("p", "note", "It can reach nothing."));
    focus(id, to.concat(from));
    writeFragment();
    if (scroll) panel.scrollIntoView({ block: "nearest" });
  }

  var search = document.getElementById("role-search"), list = document.getElementById("role-list");
  var searchable = Object.keys(data.reach).map(function (n) { return [n, label(n), label(n).toLowerCase()]; });
  function fillList() {
    if (!list) return;
    var q = search ? search.value.trim().toLowerCase() : "";
    list.textContent = "";
    var n = 0;
    for (var i = 0; i < searchable.length && n < 100; i++) {
      if (q && searchable[i][2].indexOf(q) < 0) continue;
      var li = el("li", "", searchable[i][1]);
      li.dataset.n = searchable[i][0];
      list.appendChild(li);
      n++;
    }
  }
  if (search) search.addEventListener("input", fillList);
  if (list) list.addEventListener("click", function (ev) { var li = ev.target.closest("li"); if (li) showReach(li.dataset.n, true); });
  Array.prototype.forEach.call(document.querySelectorAll(".subj[data-n]"), function (s) {
    s.addEventListener("click", function () { showReach(s.dataset.n, false); document.getElementById("reach").scrollIntoView(); });
  });
  fillList();

  window.addEventListener("hashchange", readFragment);
  readFragment();
  applyFilters();
})();
