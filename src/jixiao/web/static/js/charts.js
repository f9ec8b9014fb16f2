/* Draws the page's charts with ECharts (served from /static/vendor). Each chart is a
   <div class="chart" data-chart="ID"> next to <script type="application/json" id="ID"> holding
   {title, kind, unit, categories, series: [{name, data}]} — values are decimal strings. */
(function () {
  "use strict";
  var palette = ["#1d4e89", "#e07b39", "#2e7d32", "#8e44ad", "#c62828", "#00838f", "#6d4c41"];

  function num(v) { return v === null || v === undefined ? null : Number(v); }

  /* a value as shown on a chart: at ``places`` decimals when the series gives them (the figures'
     own, as the table beside the chart shows them: 23204万元, 760.35万元, 15.30%); without them,
     whole numbers as they are and others to 2 decimals */
  function shown(v, places) {
    if (v === null || v === undefined || v === "" || isNaN(Number(v))) { return "—"; }
    var n = Number(v);
    if (typeof places === "number" && places >= 0 && places <= 20) { return halfUp(String(v), places) || n.toFixed(places); }
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
  }

  /* a decimal string rounded half-up (四舍五入, as the tables) to ``places``: "23204.425" → "23204.43"
     (toFixed works on the binary float and may round it down); null for anything else */
  function halfUp(text, places) {
    var m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
    if (!m || typeof BigInt !== "function") { return null; }
    var frac = m[3] || "";
    var kept = BigInt(m[2] + (frac + "0".repeat(places)).slice(0, places));
    if (frac.charAt(places) >= "5") { kept += BigInt(1); }
    var digits = kept.toString().padStart(places + 1, "0");
    var body = places ? digits.slice(0, -places) + "." + digits.slice(-places) : digits;
    return (m[1] && /[1-9]/.test(digits) ? "-" : "") + body;
  }

  /* A category label broken into lines that fit ``perLine`` characters: the scope in brackets
     （全市） goes on a line of its own, long names are cut into chunks. */
  function wrapLabel(text, perLine) {
    var parts = String(text).replace(/（/g, "\n（").split("\n");
    var lines = [];
    parts.forEach(function (part) {
      for (var i = 0; i < part.length; i += perLine) { lines.push(part.slice(i, i + perLine)); }
    });
    return lines.slice(0, 4).join("\n");
  }

  function option(spec, width) {
    var n = spec.categories.length;
    var many = n > 12;
    var slot = Math.max(24, (width - 120) / Math.max(n, 1));      // pixels per category on the x axis
    var perLine = Math.max(2, Math.floor(slot / 13));              // 12px CJK glyphs, with a little room
    // value labels on the bars only when they cannot collide: few bars, each wide enough
    var bars = n * spec.series.length;
    var showValues = spec.kind !== "line" && bars <= 10 && slot / spec.series.length >= 44;
    // the tooltip lists every series of a category (one unit): at the most decimals any of them has
    var places = spec.series.reduce(function (most, s) {
      return typeof s.places === "number" && (most === null || s.places > most) ? s.places : most;
    }, null);
    return {
      color: palette,
      title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : shown(v, places) + (spec.unit || ""); } },
      legend: { top: 26, data: spec.series.map(function (s) { return s.name; }) },
      grid: { left: 60, right: 24, top: width < 520 ? 84 : 64, bottom: many ? 90 : 24, containLabel: true },
      xAxis: { type: "category", data: spec.categories,
               axisLabel: many ? { interval: 0, rotate: 45, width: 120, overflow: "truncate" }
                               : { interval: 0, lineHeight: 15, formatter: function (v) { return wrapLabel(v, perLine); } } },
      yAxis: { type: "value", name: spec.unit || "" },
      dataZoom: n > 30 ? [{ type: "slider", bottom: 8 }, { type: "inside" }] : [],
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.kind === "line" ? "line" : "bar", data: s.data.map(num), connectNulls: false,
                 barMaxWidth: 40, label: { show: showValues, position: "top", formatter: function (p) { return shown(s.data[p.dataIndex], s.places); } } };
      })
    };
  }

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    (root || document).querySelectorAll("div.chart[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var spec;
      try { spec = JSON.parse(source.textContent); } catch (e) { return; }
      var old = echarts.getInstanceByDom(el);
      if (old) { old.dispose(); }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec, chart.getWidth()));
      el.setAttribute("data-drawn", "1");
    });
  }

  window.addEventListener("resize", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("div.chart[data-drawn]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (c) {
        c.resize();
        try { c.setOption(option(JSON.parse(source.textContent), c.getWidth())); } catch (e) { /* keep the drawn one */ }
      }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body && document.body.addEventListener("htmx:afterSettle", function (evt) { draw(evt.target); });
})();
