/* Draws the page's charts with ECharts (served from /static/vendor). Each chart is a
   <div class="chart" data-chart="ID"> next to <script type="application/json" id="ID"> holding
   {title, kind, unit, categories, series: [{name, data}]} — values are decimal strings. */
(function () {
  "use strict";
  var palette = ["#1d4e89", "#e07b39", "#2e7d32", "#8e44ad", "#c62828", "#00838f", "#6d4c41"];

  function num(v) { return v === null || v === undefined ? null : Number(v); }

  /* a value as shown on a chart: whole numbers as they are, others to 2 decimals (the table
     beside the chart has each figure at its written precision) */
  function shown(v) {
    if (v === null || v === undefined || v === "" || isNaN(Number(v))) { return "—"; }
    var n = Number(v);
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
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
    return {
      color: palette,
      title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : shown(v) + (spec.unit || ""); } },
      legend: { top: 26, data: spec.series.map(function (s) { return s.name; }) },
      grid: { left: 60, right: 24, top: 64, bottom: many ? 90 : 24, containLabel: true },
      xAxis: { type: "category", data: spec.categories,
               axisLabel: many ? { interval: 0, rotate: 45, width: 120, overflow: "truncate" }
                               : { interval: 0, lineHeight: 15, formatter: function (v) { return wrapLabel(v, perLine); } } },
      yAxis: { type: "value", name: spec.unit || "" },
      dataZoom: n > 30 ? [{ type: "slider", bottom: 8 }, { type: "inside" }] : [],
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.kind === "line" ? "line" : "bar", data: s.data.map(num), connectNulls: false,
                 barMaxWidth: 40, label: { show: showValues, position: "top", formatter: function (p) { return shown(p.value); } } };
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
