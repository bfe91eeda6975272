// Keyboard shortcuts of the triage screen. Each key clicks the button or link marked with
// data-key="<key>", or moves the focus to the field marked data-focus-key="<key>", so the
// page works the same without JavaScript.
(function () {
  "use strict";
  var root = document.getElementById("triage");
  if (!root) {
    return;
  }
  var help = document.getElementById("triage-help");
  var helpButton = root.querySelector('[data-key="?"]');
  // Where keys are text; a checkbox is not, so a key still decides after ticking a tag.
  var TYPING = 'input:not([type="checkbox"]):not([type="radio"]), textarea, select, [contenteditable]';

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
    var key = event.key;
    if (target.closest && target.closest(TYPING)) {
      if (key === "Escape") {
        target.blur(); // back to the keys
      }
      return; // typing a note or a tag
    }
    if (key === "Escape" && !help.hidden) {
      toggleHelp();
      return;
    }
    if (key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    var field = root.querySelector('[data-focus-key="' + key + '"]');
    if (field) {
      event.preventDefault();
      field.focus();
      return;
    }
    var control = root.querySelector('[data-key="' + key + '"]:not([data-key="?"])');
    if (control) {
      event.preventDefault();
      control.click();
    }
  });
})();
