/* After a failed save, move focus to the error summary so screen readers announce it first. */
(function () {
  "use strict";
  var summary = document.getElementById("form-error-summary");
  if (summary) {
    summary.focus();
  }
})();
