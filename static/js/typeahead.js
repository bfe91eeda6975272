// Suggestions for the disease and therapy boxes, from MeSH names and synonyms ("IVIG").
// Progressive: without this script the boxes still take any name and the form still submits.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[list][data-suggest]");
  Array.prototype.forEach.call(boxes, function (box) {
    var list = document.getElementById(box.getAttribute("list"));
    var timer = null;
    var last = "";
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = box.value.trim();
        if (text.length < 2 || text === last) {
          return;
        }
        last = text;
        var url = box.getAttribute("data-suggest") + "&q=" + encodeURIComponent(text);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) {
            list.textContent = "";
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.name;
              if (item.matched) {
                option.label = item.matched + " → " + item.name;
              }
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });
})();
