// houqin: the scan page. A QR read by the camera or from a photo (HouqinQr, offline.js) is
// put into the manual-entry form and submitted; the server resolves the token, URL or code.
// Cameras need https (or localhost); a photo and typing work everywhere.
(function () {
  "use strict";

  var root = document.querySelector("[data-scanner]");
  var form = document.querySelector("[data-scan-form]");
  if (!root || !form) return;

  var input = form.querySelector("input[name=code]");
  var status = root.querySelector("[data-scan-status]");
  var insecure = root.querySelector("[data-scan-insecure]");
  var keyboardToggle = form.querySelector("[data-keyboard-toggle]");
  var submitted = false;

  // The status line's texts are its data-text-* attributes.
  function say(key, fallback) {
    var text = status.dataset[textKey(key)] || (fallback && status.dataset[textKey(fallback)]);
    if (text) status.textContent = text;
  }

  function textKey(key) {
    return "text" + key.charAt(0).toUpperCase() + key.slice(1);
  }

  var scanner = window.HouqinQr.panel(root, { say: say, onRead: found });

  function found(text) {
    if (submitted || !text) return;
    submitted = true;
    scanner.stop();
    say("found");
    input.value = text.trim();
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  if (!window.HouqinQr.cameraAvailable() && !window.isSecureContext) insecure.hidden = false;

  keyboardToggle.addEventListener("click", function () {
    var numeric = input.getAttribute("inputmode") === "numeric";
    input.setAttribute("inputmode", numeric ? "text" : "numeric");
    keyboardToggle.textContent = numeric
      ? keyboardToggle.dataset.labelNumeric
      : keyboardToggle.dataset.labelText;
    input.focus();
  });

  form.addEventListener("submit", function () {
    submitted = true;
    scanner.stop();
  });

  // Back from the record's page: the form may be submitted again.
  window.addEventListener("pageshow", function () {
    submitted = false;
  });

  if (form.querySelector(".is-invalid")) {
    input.focus();
    input.select();
  }
})();
