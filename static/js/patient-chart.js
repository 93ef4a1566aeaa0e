/* The patient page's charts: SpO₂ before/after and, on a scale of its own, pulse before/after per session.
   Data comes from the json_script block #session-chart-data (CSP forbids inline scripts). */
(function () {
  "use strict";
  var source = document.getElementById("session-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var labels = data.numbers.map(function (n) { return "Session " + n; });
  var line = function (label, values, colour, dashed) {
    return {
      label: label,
      data: values,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: dashed ? [6, 4] : [],
      spanGaps: true,
      tension: 0,
      pointRadius: 4
    };
  };
  var chart = function (id, datasets, axisTitle, suggestedMin, suggestedMax) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { suggestedMin: suggestedMin, suggestedMax: suggestedMax, title: { display: true, text: axisTitle } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  };
  chart("spo2-chart", [
    line("SpO₂ before (%)", data.spo2_pre, "#0b5563", true),
    line("SpO₂ after (%)", data.spo2_post, "#1f7a6d", false)
  ], "SpO₂ (%)", 85, 100);
  chart("pulse-chart", [
    line("Pulse before (bpm)", data.pulse_pre, "#9a3f0a", true),
    line("Pulse after (bpm)", data.pulse_post, "#c25e0e", false)
  ], "Pulse (bpm)", 50, 100);
})();
