// Keyboard shortcuts of the triage screen. Each key clicks the button or link marked with
// data-key="<key>", so the page works the same without JavaScript.
(function () {
  "use strict";
  var root = document.getElementById("triage");
  if (!root) {
    return;
  }
  var help = document.getElementById("triage-help");
  var helpButton = root.querySelector('[data-key="?"]');

  function toggleHelp() {
    help.hidden = !help.hidden;
    helpButton.setAttribute("aria-expanded", String(!help.hidden));
  }

  helpButton.addEventListener("click", toggleHelp);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      return; // typing a note
    }
    var key = event.key;
    if (key === "Escape" && !help.hidden) {
      toggleHelp();
      return;
    }
    if (key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    var control = root.querySelector('[data-key="' + key + '"]:not([data-key="?"])');
    if (control) {
      event.preventDefault();
      control.click();
    }
  });
})();
