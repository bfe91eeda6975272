// Copy buttons of the Cite box. Progressive: without this script the citations are plain text
// to select, and the buttons stay hidden. The clipboard gets the citation as HTML (italics
// kept for word processors) and as plain text.
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  var buttons = document.querySelectorAll(".cite__copy[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var texts = target.matches("ol, ul")
        ? Array.prototype.map.call(target.querySelectorAll(".cite__text"), function (p) {
            return p.textContent.trim();
          })
        : [target.textContent.trim()];
      var plain = texts.join("\n\n");
      var html = target.matches("ol, ul")
        ? Array.prototype.map.call(target.querySelectorAll(".cite__text"), function (p) {
            return "<p>" + p.innerHTML + "</p>";
          }).join("")
        : target.innerHTML;
      var done = function () {
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = label; }, 2000);
      };
      var copy = window.ClipboardItem
        ? navigator.clipboard.write([
            new window.ClipboardItem({
              "text/plain": new Blob([plain], { type: "text/plain" }),
              "text/html": new Blob([html], { type: "text/html" })
            })
          ]).catch(function () { return navigator.clipboard.writeText(plain); })
        : navigator.clipboard.writeText(plain);
      copy.then(done, function () { button.textContent = "Copy failed"; });
    });
  });
})();
