/* The session form: show the "Other gauge" box only when Other is chosen, and add points picked
   from the catalogue list to the typed Points box. */
(function () {
  "use strict";
  var otherBox = document.getElementById("div_id_needle_gauge_other");
  var otherInput = document.getElementById("id_needle_gauge_other");
  var gauges = document.querySelectorAll("input[name=needle_gauge]");
  if (otherBox && otherInput && gauges.length) {
    var showOther = function (changed) {
      var chosen = document.querySelector("input[name=needle_gauge]:checked");
      var other = chosen ? chosen.value === "other" : otherInput.value !== "";
      // A box with a problem stays in view until it is corrected.
      var shown = other || otherInput.classList.contains("is-invalid");
      if (!shown && changed) {
        otherInput.value = "";  // a standard gauge chosen: a value typed before would contradict it
      }
      otherBox.hidden = !shown;
      if (other && changed) {
        otherInput.focus();
      }
    };
    gauges.forEach(function (gauge) {
      gauge.addEventListener("change", function () { showOther(true); });
    });
    showOther(false);
  }
})();

(function () {
  "use strict";
  var picker = document.getElementById("point-picker");
  var search = document.getElementById("point-search");
  var addButton = document.getElementById("point-add");
  var points = document.getElementById("id_points");
  var status = document.getElementById("point-picker-status");

  if (!picker || !search || !addButton || !points) {
    return;
  }
  picker.hidden = false;

  // The catalogue from the datalist: code -> code, and lower-case pinyin name -> [codes].
  var codes = {};
  var byName = {};
  Array.prototype.forEach.call(document.querySelectorAll("#acupoint-options option"), function (option) {
    var code = option.value.toUpperCase();
    var name = option.textContent.trim().split(/\s+/)[1] || "";
    codes[code] = code;
    (byName[name.toLowerCase()] = byName[name.toLowerCase()] || []).push(code);
  });

  // Return the one catalogue code the search box names (a code, or a pinyin name), or a message why not.
  var lookUp = function (text) {
    var word = text.trim().split(/\s+/)[0];
    if (codes[word.toUpperCase()]) {
      return { code: codes[word.toUpperCase()] };
    }
    var named = byName[word.toLowerCase()] || [];
    if (named.length === 1) {
      return { code: named[0] };
    }
    if (named.length > 1) {
      return { message: word + " is " + named.join(" or ") + ": choose one from the suggestions." };
    }
    return { message: "No point called " + word + ": choose a suggestion from the list." };
  };

  var add = function () {
    if (!search.value.trim()) {
      return;
    }
    var found = lookUp(search.value);
    if (!found.code) {
      status.textContent = found.message;
      status.classList.remove("visually-hidden");
      return;
    }
    var code = found.code;
    var typed = points.value.trim().split(/[\s,;]+/).filter(Boolean);
    var already = typed.some(function (t) { return t.toUpperCase() === code; });
    if (!already) {
      typed.push(code);
      points.value = typed.join(" ");
    }
    status.textContent = already ? code + " is already in the list." : code + " added to points.";
    status.classList.add("visually-hidden");
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
