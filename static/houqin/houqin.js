// houqin: small behaviours shared by every page.
(function () {
  "use strict";

  // Pickers: a text box searches over htmx; choosing an option fills the hidden input.
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-picker-value]");
    if (!option) return;
    event.preventDefault();
    var picker = option.closest(".hq-picker");
    picker.querySelector("input[type=hidden]").value = option.dataset.pickerValue;
    var text = picker.querySelector("input[type=search]");
    text.value = option.dataset.pickerLabel;
    picker.querySelector(".hq-picker-results").innerHTML = "";
    picker.querySelector("input[type=hidden]").dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("input", function (event) {
    var text = event.target.closest(".hq-picker input[type=search]");
    if (text && !text.value) {
      text.closest(".hq-picker").querySelector("input[type=hidden]").value = "";
    }
  });

  // Confirm before a destructive-looking action (archive, import commit).
  document.addEventListener("submit", function (event) {
    var message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
