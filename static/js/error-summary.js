/* A form that came back with problems: move focus to the list of them, so keyboard and
   screen-reader users start there; and make this page's history entry an ordinary one, so that
   the back button after the form is finally sent shows the form again instead of the browser's
   "Confirm Form Resubmission" (ERR_CACHE_MISS), and never posts it again. */
(function () {
  "use strict";
  if (document.querySelector("form[method=post]") && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.href);
  }
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  // A link in the list scrolls its field's question into view and focuses the field, without
  // putting the field's id into the address (it would follow the form to the next page).
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var question = field.closest("fieldset, .mb-3, .form-check") || field;
    question.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
