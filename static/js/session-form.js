/* The session form: add points picked from the catalogue list to the typed Points box,
   and move focus to the error summary after a failed save. */
(function () {
  "use strict";
  var picker = document.getElementById("point-picker");
  var search = document.getElementById("point-search");
  var addButton = document.getElementById("point-add");
  var points = document.getElementById("id_points");
  var status = document.getElementById("point-picker-status");
  var summary = document.getElementById("form-error-summary");

  if (summary) {
    summary.focus();
  }
  if (!picker || !search || !addButton || !points) {
    return;
  }
  picker.hidden = false;

  var add = function () {
    var code = search.value.trim().split(/\s+/)[0].toUpperCase();
    if (!code) {
      return;
    }
    var typed = points.value.trim().split(/[\s,;]+/).filter(Boolean);
    var already = typed.some(function (t) { return t.toUpperCase() === code; });
    if (!already) {
      typed.push(code);
      points.value = typed.join(" ");
    }
    status.textContent = already ? code + " is already in the list." : code + " added to points.";
    search.value = "";
    search.focus();
  };
  addButton.addEventListener("click", add);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  });
})();
