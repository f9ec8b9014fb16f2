/* Draws the page's charts with ECharts (served from /static/vendor). Each chart is a
   <div class="chart" data-chart="ID"> next to <script type="application/json" id="ID"> holding
   {title, kind, unit, categories, series: [{name, data}]} — values are decimal strings. */
(function () {
  "use strict";
  var palette = ["#1d4e89", "#e07b39", "#2e7d32", "#8e44ad", "#c62828", "#00838f", "#6d4c41"];

  function num(v) { return v === null || v === undefined ? null : Number(v); }

  function option(spec) {
    var many = spec.categories.length > 12;
    return {
      color: palette,
      title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (spec.unit || ""); } },
      legend: { top: 26, data: spec.series.map(function (s) { return s.name; }) },
      grid: { left: 60, right: 24, top: 64, bottom: many ? 90 : 48, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: many ? 45 : 0, width: 120, overflow: "truncate" } },
      yAxis: { type: "value", name: spec.unit || "" },
      dataZoom: spec.categories.length > 30 ? [{ type: "slider", bottom: 8 }, { type: "inside" }] : [],
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.kind === "line" ? "line" : "bar", data: s.data.map(num), connectNulls: false,
                 barMaxWidth: 40, label: { show: spec.categories.length <= 8 && spec.kind !== "line", position: "top" } };
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
      chart.setOption(option(spec));
      el.setAttribute("data-drawn", "1");
    });
  }

  window.addEventListener("resize", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("div.chart[data-drawn]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) { c.resize(); }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body && document.body.addEventListener("htmx:afterSettle", function (evt) { draw(evt.target); });
})();
