// The free assessment form: stop a second click on "Send" from posting the form twice.
// (error-summary.js takes people to the list of problems.)
(function () {
  "use strict";
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
