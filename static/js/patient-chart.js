/* The patient page's charts, each on its own scale: SpO₂ before/after, pulse before/after and PGIC per session.
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
  var chart = function (id, datasets, axisTitle, suggestedMin, suggestedMax, axis) {
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
          y: Object.assign(
            { suggestedMin: suggestedMin, suggestedMax: suggestedMax, title: { display: true, text: axisTitle } },
            axis || {}
          )
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
  // Reversed, so that improvement (1 = very much improved) is up, like a rising SpO₂.
  chart("pgic-chart", [
    Object.assign(line("PGIC (1 = very much improved, 7 = very much worse)", data.pgic, "#6a4c93", false),
                  { showLine: false, pointStyle: "rectRot", pointRadius: 6 })
  ], "PGIC", 1, 7, { min: 1, max: 7, reverse: true, ticks: { stepSize: 1 } });
})();
