// Enhancements for the listing form; everything works without them.
// - the size class is worked out by the server as the figures are typed;
// - the catalogue pickers get a filter box;
// - changing the province loads its wards.
(function () {
  "use strict";

  var preview = document.querySelector("[data-size-preview]");
  if (preview) {
    var output = preview.querySelector("[data-size-output]");
    var inputs = document.querySelectorAll("[data-size]");  // the kind and tax code too
    var timer = null;
    var update = function () {
      var params = new URLSearchParams();
      inputs.forEach(function (input) { params.set(input.getAttribute("data-size"), input.value); });
      fetch(preview.getAttribute("data-size-preview") + "?" + params.toString())
        .then(function (response) { return response.json(); })
        .then(function (data) { output.textContent = data.label || "—"; })
        .catch(function () {});
    };
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
      input.addEventListener("change", update);
    });
  }

  var fold = function (text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  };
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var filter = picker.querySelector("[data-picker-filter]");
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var words = fold(filter.value).split(/\s+/).filter(Boolean);
      picker.querySelectorAll("details").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("[data-picker-item]").forEach(function (item) {
          var text = fold(item.getAttribute("data-text"));
          var match = words.every(function (word) { return text.indexOf(word) !== -1; });
          item.hidden = !match;
          if (match) shown += 1;
        });
        group.hidden = shown === 0;
        if (words.length) group.open = shown > 0;
      });
    });
  });

  document.querySelectorAll("[data-wards-for]").forEach(function (province) {
    var ward = document.getElementById(province.getAttribute("data-wards-for"));
    province.addEventListener("change", function () {
      fetch("/places/wards?province=" + encodeURIComponent(province.value))
        .then(function (response) { return response.json(); })
        .then(function (data) {
          ward.textContent = "";
          ward.appendChild(new Option("—", ""));
          data.wards.forEach(function (pair) { ward.appendChild(new Option(pair[1], pair[0])); });
        })
        .catch(function () {});
    });
  });
})();
