/* The patient page's chart: SpO₂ before/after, pulse before/after and PGIC per session number.
   Data comes from the json_script block #session-chart-data (CSP forbids inline scripts). */
(function () {
  "use strict";
  var canvas = document.getElementById("session-chart");
  var source = document.getElementById("session-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var line = function (label, values, colour, axis, dashed) {
    return {
      label: label,
      data: values,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: dashed ? [6, 4] : [],
      yAxisID: axis,
      spanGaps: true,
      tension: 0,
      pointRadius: 4
    };
  };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.numbers.map(function (n) { return "Session " + n; }),
      datasets: [
        line("SpO₂ before (%)", data.spo2_pre, "#0b5563", "spo2", false),
        line("SpO₂ after (%)", data.spo2_post, "#2a9d8f", "spo2", false),
        line("Pulse before (bpm)", data.pulse_pre, "#b5470b", "pulse", true),
        line("Pulse after (bpm)", data.pulse_post, "#e07a1f", "pulse", true),
        Object.assign(line("PGIC (1 = very much improved, 7 = very much worse)", data.pgic, "#6a4c93", "pgic", false),
                      { showLine: false, pointStyle: "rectRot", pointRadius: 6 })
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        spo2: { type: "linear", position: "left", suggestedMin: 85, suggestedMax: 100,
                title: { display: true, text: "SpO₂ (%)" } },
        pulse: { type: "linear", position: "right", suggestedMin: 50, suggestedMax: 100,
                 grid: { drawOnChartArea: false }, title: { display: true, text: "Pulse (bpm)" } },
        // Reversed, so that improvement (1) is up like a rising SpO₂.
        pgic: { type: "linear", position: "right", min: 1, max: 7, reverse: true, ticks: { stepSize: 1 },
                grid: { drawOnChartArea: false }, title: { display: true, text: "PGIC" } }
      },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
