// The schedule form shows only the fields of the chosen rule type (每周, 每月某日…).
// Without JavaScript every field stays visible and the server ignores the unused ones.
(function () {
  "use strict";

  function sync(form) {
    var rule = form.querySelector("[name=rule]");
    if (!rule) return;
    form.querySelectorAll("[data-rules]").forEach(function (block) {
      block.hidden = block.dataset.rules.split(" ").indexOf(rule.value) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-schedule-form]");
    if (form && event.target.name === "rule") sync(form);
  });

  document.querySelectorAll("[data-schedule-form]").forEach(sync);
})();
