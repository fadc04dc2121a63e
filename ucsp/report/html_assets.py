"""report.html's style sheet and script: constants, the same for every report.

The script holds no data of the run: it reads the page's ``data-*`` attributes only, so that
nothing a SUT sent can ever reach it. It filters the scenarios (``#filters``), opens the
scenario a link points to (clearing the filters that hide it), and turns a matrix cell's or a
count's link into a filter. It loads nothing and works from ``file://``.
"""

from __future__ import annotations

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24}
header{padding:18px 28px;background:#14324a;color:#fff}
header h1{margin:0 0 4px;font-size:22px} header p{margin:2px 0;opacity:.9}
nav#toc{padding:6px 28px;background:#eef1f4;border-bottom:1px solid #d0d7de}
nav#toc a{margin-right:14px}
main{padding:18px 28px} h2{border-bottom:1px solid #d0d7de;padding-bottom:4px}
a{color:#0b5cad}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.count{border-radius:8px;padding:10px 16px;min-width:90px;background:#f6f8fa}
.count b{display:block;font-size:24px} a.count{color:inherit;text-decoration:none}
a.count:hover{outline:2px solid #0b5cad}
.v-pass{color:#116329}.v-failure,.v-error{color:#b42318}.v-warning{color:#9a6700}
.v-skipped,.v-uncovered,.v-na,.v-not-run,.v-unjudged,.v-waived{color:#57606a}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
background:#eef1f4}
.badge.v-pass{background:#dafbe1}.badge.v-failure,.badge.v-error{background:#ffebe9}
.badge.v-warning{background:#fff8c5}.badge.v-unjudged,.badge.v-not-run{background:#eef1f4}
.badge.v-waived{background:#ddf4ff;color:#0a3069}
.partial{background:#fff8c5;color:#1b1f24;border-radius:6px;padding:6px 10px;margin:6px 0}
table{border-collapse:collapse;width:100%;margin:8px 0 20px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} td.req{white-space:nowrap;font-family:ui-monospace,monospace}
tr:target{background:#fff8c5}
ul.problems{padding-left:20px} ul.problems li{margin:3px 0}
ul.cell-scenarios{margin:0;padding-left:16px}
.filters{position:sticky;top:0;z-index:1;background:#fff;padding:8px 0;
border-bottom:1px solid #d0d7de;display:flex;gap:12px;flex-wrap:wrap;align-items:center}
.filters select{max-width:320px}
details.scenario{border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:4px 10px;
scroll-margin-top:64px}
details.scenario:target{outline:3px solid #0b5cad}
details.scenario>summary{cursor:pointer;font-weight:600}
ol.steps{padding-left:22px} li.step{margin:4px 0}
.kw{font-weight:600} .line{color:#57606a}
h4.before,h4.after{margin:8px 0 2px;font-size:13px;color:#57606a}
details.exchange{margin:4px 0 4px 16px} details.exchange>summary{cursor:pointer}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:420px;white-space:pre-wrap;
word-break:break-all;font-size:12px}
.message{color:#b42318;white-space:pre-wrap}
"""

SCRIPT = """
(function () {
  "use strict";
  var scenarios = Array.prototype.slice.call(document.querySelectorAll("details.scenario"));
  var selects = Array.prototype.slice.call(document.querySelectorAll("#filters select"));
  var count = document.getElementById("filter-count");

  function matches(scenario, select) {
    var wanted = select.value, key = select.getAttribute("data-key");
    if (!wanted) { return true; }
    var value = scenario.getAttribute("data-" + key) || "";
    if (key === "requirements") { return (" " + value + " ").indexOf(" " + wanted + " ") >= 0; }
    return value === wanted;
  }

  function apply() {
    var shown = 0;
    scenarios.forEach(function (scenario) {
      var keep = selects.every(function (select) { return matches(scenario, select); });
      scenario.hidden = !keep;
      if (keep) { shown += 1; }
    });
    if (count) { count.textContent = shown + " of " + scenarios.length + " scenarios shown"; }
  }

  function setFilters(source) {
    selects.forEach(function (select) {
      var value = source ? source.getAttribute("data-filter-" + select.getAttribute("data-key"))
        : "";
      select.value = value || "";
      if (select.value !== (value || "")) { select.value = ""; }
    });
    apply();
  }

  function reveal(id) {
    var target = id ? document.getElementById(id) : null;
    if (!target || !target.classList.contains("scenario")) { return; }
    if (target.hidden) { setFilters(null); }
    target.open = true;
  }

  selects.forEach(function (select) { select.addEventListener("change", apply); });
  var clear = document.getElementById("filter-clear");
  if (clear) { clear.addEventListener("click", function () { setFilters(null); }); }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) { return; }
    if (link.hasAttribute("data-filters")) { setFilters(link); }
    reveal(decodeURIComponent(link.getAttribute("href").slice(1)));
  });
  window.addEventListener("hashchange", function () {
    reveal(decodeURIComponent(location.hash.slice(1)));
  });
  apply();
  reveal(decodeURIComponent(location.hash.slice(1)));
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) { target.scrollIntoView(); }
  }
})();
"""
