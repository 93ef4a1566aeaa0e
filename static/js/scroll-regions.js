/* A table wider than its box scrolls sideways; keyboard users must be able to scroll it too
   (WCAG 2.1.1). While such a region overflows it is a tab stop with a name, and stops being one
   when the window grows wide enough. Regions: anything marked data-scroll-region="Name", the
   tables of an article body (wrapped here in a box that scrolls), and in Django admin the change
   list's results and the inline tables. */
(function () {
  "use strict";
  var SELECTOR = "[data-scroll-region], #changelist .results, .inline-group, #content-main .module:has(#change-history)";

  function nameOf(region) {
    var named = region.getAttribute("data-scroll-region");
    if (named) {
      return named;
    }
    var caption = region.querySelector("caption, h2") || document.querySelector("#content h1, main h1");
    return caption ? caption.textContent.trim() : "Table";
  }

  // Markdown tables come without a wrapper; a table itself must keep its table role, so the box scrolls.
  function wrapArticleTables() {
    document.querySelectorAll(".article-body table").forEach(function (table) {
      if (table.closest("[data-scroll-region]")) {
        return;
      }
      var box = document.createElement("div");
      box.className = "table-scroll";
      var caption = table.querySelector("caption");
      box.setAttribute("data-scroll-region", caption ? caption.textContent.trim() : "Table");
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  function update() {
    document.querySelectorAll(SELECTOR).forEach(function (region) {
      var overflows = region.scrollWidth > region.clientWidth + 1;
      if (overflows && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", nameOf(region) + " (scrolls sideways)");
        region.setAttribute("data-scroll-region-on", "");
      } else if (!overflows && region.hasAttribute("data-scroll-region-on")) {
        ["tabindex", "role", "aria-label", "data-scroll-region-on"].forEach(function (name) {
          region.removeAttribute(name);
        });
      }
    });
  }

  var timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 150);
  });
  function start() {
    wrapArticleTables();
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", update);
})();
