// Live preview of an article body in admin. The server renders and sanitises the Markdown
// (the same code that renders it on save), so the HTML inserted here is already safe.
"use strict";
(function () {
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var preview = document.getElementById("article-preview");
    var body = document.getElementById("id_body");
    if (!preview || !body) return;
    var form = body.form;
    var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var sent = 0;

    function render() {
      var request = ++sent;
      var data = new FormData();
      data.append("body", body.value);
      fetch(preview.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (result) {
          if (request !== sent) return; // a newer preview is on its way
          preview.innerHTML = result.html;
          preview.classList.remove("article-preview-error");
          if (result.problems && result.problems.length) {
            // Shortcodes that will not show as embeds: readers would see them as literal text.
            var box = document.createElement("div");
            box.className = "errornote";
            box.id = "embed-problems";
            var title = document.createElement("p");
            title.textContent = "Not shown to readers as an embed; the article cannot be published until corrected:";
            box.appendChild(title);
            var list = document.createElement("ul");
            result.problems.forEach(function (problem) {
              var item = document.createElement("li");
              item.textContent = problem;
              list.appendChild(item);
            });
            box.appendChild(list);
            preview.prepend(box);
          }
        })
        .catch(function () {
          preview.classList.add("article-preview-error");
        });
    }

    body.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, 400);
    });
    if (!preview.innerHTML.trim() && body.value.trim()) render();
  });
})();
