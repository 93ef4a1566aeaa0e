// The free assessment form: take keyboard and screen-reader users straight to the list of
// problems, and stop a second click on "Send" from posting the form twice.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  var form = document.getElementById("intake-form");
  if (!form) {
    return;
  }
  form.addEventListener("submit", function () {
    var buttons = form.querySelectorAll("[type=submit]");
    window.setTimeout(function () {
      buttons.forEach(function (button) { button.disabled = true; });
    }, 0);
  });
  // Coming back with the browser's back button: the buttons must work again.
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("[type=submit]").forEach(function (button) { button.disabled = false; });
  });
})();
