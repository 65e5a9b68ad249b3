// The flow editor: add a step without reloading, move steps up and down, show the
// position or person box only for the approver types that need it, and only the
// conditions the chosen kind of request has. Without JavaScript the form still works:
// 添加步骤 reloads the page with one more row, and the order is typed in.
(function () {
  "use strict";

  var form = document.querySelector(".hq-flow-form");
  if (!form) return;
  var list = form.querySelector("[data-step-list]");
  var template = form.querySelector("template[data-step-template]");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var kindFacts = JSON.parse(document.getElementById("kind-facts").textContent);

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-step-row]"));
  }

  function isDeleted(row) {
    var box = row.querySelector("input[name$='-DELETE']");
    return box && box.checked;
  }

  function renumber() {
    var number = 0;
    rows().forEach(function (row) {
      var order = row.querySelector("input[name$='-ORDER']");
      var label = row.querySelector("[data-step-number]");
      if (isDeleted(row)) {
        label.textContent = "—";
        row.classList.add("opacity-50");
        return;
      }
      row.classList.remove("opacity-50");
      number += 1;
      order.value = number;
      label.textContent = number;
    });
  }

  function showApproverFields(row) {
    var type = row.querySelector("select[name$='-approver_type']").value;
    row.querySelectorAll("[data-when]").forEach(function (box) {
      box.hidden = box.dataset.when !== type;
    });
  }

  function setUp(row) {
    row.querySelector("[data-step-order]").hidden = true;
    row.querySelectorAll("[data-step-move]").forEach(function (button) {
      button.hidden = false;
    });
    showApproverFields(row);
  }

  function showFacts() {
    var kind = form.querySelector("select[name='kind']").value;
    var facts = kindFacts[kind] || [];
    form.querySelectorAll("[data-fact]").forEach(function (box) {
      var filled = Array.prototype.some.call(box.querySelectorAll("input"), function (input) {
        return input.value !== "";
      });
      box.hidden = facts.indexOf(box.dataset.fact) === -1 && !filled;
    });
  }

  form.addEventListener("change", function (event) {
    var row = event.target.closest("[data-step-row]");
    if (event.target.name === "kind") showFacts();
    if (row && event.target.name.endsWith("-approver_type")) showApproverFields(row);
    if (row && event.target.name.endsWith("-DELETE")) renumber();
  });

  form.addEventListener("click", function (event) {
    var move = event.target.closest("[data-step-move]");
    if (move) {
      var row = move.closest("[data-step-row]");
      if (move.dataset.stepMove === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (move.dataset.stepMove === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber();
      return;
    }
    if (event.target.closest("[data-step-add]")) {
      event.preventDefault();
      var index = parseInt(total.value, 10);
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var added = holder.firstElementChild;
      list.appendChild(added);
      total.value = String(index + 1);
      if (window.htmx) window.htmx.process(added);
      setUp(added);
      renumber();
      added.querySelector("select[name$='-approver_type']").focus();
    }
  });

  rows().forEach(setUp);
  renumber();
  showFacts();
})();
