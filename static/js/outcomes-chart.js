// Draw one small chart per condition on the cohort outcomes dashboard: mean SpO2 before and
// after treatment at sessions 1..N, every panel on the same scale (data.scale) so that panels
// compare. The data come from the page (json_script), never inline code.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("outcomes-chart-data");
    var container = document.getElementById("outcomes-charts");
    if (!source || !container || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var labels = data.sessions.map(function (n) { return "Session " + n; });
    data.conditions.forEach(function (condition) {
      var box = document.createElement("figure");
      box.className = "acuflow-chart";
      var canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Mean SpO2 by session for " + condition.name);
      box.appendChild(canvas);
      container.appendChild(box);
      new Chart(canvas, {
        type: "line",
        data: {
          labels: labels,
          datasets: [
            { label: "Before treatment", data: condition.before, borderColor: "#6c757d", backgroundColor: "#6c757d",
              borderDash: [5, 4], spanGaps: true, tension: 0 },
            { label: "After treatment", data: condition.after, borderColor: "#0d6efd", backgroundColor: "#0d6efd",
              spanGaps: true, tension: 0 }
          ]
        },
        options: {
          maintainAspectRatio: false,
          plugins: {
            title: { display: true, text: condition.name },
            legend: { position: "bottom" }
          },
          scales: {
            y: {
              min: data.scale ? data.scale.min : undefined,
              max: data.scale ? data.scale.max : undefined,
              title: { display: true, text: "SpO\u2082 (%)" }
            }
          }
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
