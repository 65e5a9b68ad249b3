// houqin attachments: the photo viewer, upload checks and progress for the attachments
// card, and the chosen-file list of the photo fields in forms. Loaded by the card and the
// widget themselves, so once per page whatever their number.
(function () {
  "use strict";
  if (window.hqFilesLoaded) return;
  window.hqFilesLoaded = true;

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function chosenFiles(container) {
    var files = [];
    container.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.push.apply(files, input.files || []);
    });
    return files;
  }

  // What the server would refuse anyway, said before a phone sends megabytes for nothing.
  function problems(container, files) {
    var card = container.closest("[data-max-bytes]") || container;
    var maxBytes = parseInt(card.dataset.maxBytes || "0", 10);
    var maxFiles = parseInt(card.dataset.maxFiles || "0", 10);
    var found = [];
    if (maxFiles && files.length > maxFiles && card.dataset.tooMany) {
      found.push(card.dataset.tooMany);
    }
    files.forEach(function (file) {
      if (maxBytes && file.size > maxBytes && card.dataset.tooLarge) {
        found.push(
          card.dataset.tooLarge.replace("{name}", file.name).replace("{size}", megabytes(file.size))
        );
      }
    });
    return found;
  }

  function showErrors(card, messages) {
    var box = card.querySelector("[data-hq-upload-errors]");
    if (!box) return;
    box.replaceChildren();
    messages.forEach(function (message) {
      var line = document.createElement("div");
      line.textContent = message;
      box.appendChild(line);
    });
    box.hidden = messages.length === 0;
  }

  function uploadForm(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("form[data-hq-upload]") : null;
  }

  function setBusy(form, busy) {
    var buttons = form.querySelector("[data-hq-upload-buttons]");
    var progress = form.querySelector("[data-hq-upload-progress]");
    if (buttons) buttons.classList.toggle("pe-none", busy);
    if (buttons) buttons.classList.toggle("opacity-50", busy);
    if (progress) {
      progress.hidden = !busy;
      progress.firstElementChild.style.width = "0%";
    }
  }

  // The card: check the chosen files, then show the upload's progress.
  document.addEventListener("htmx:confirm", function (event) {
    var form = uploadForm(event);
    if (!form) return;
    var card = form.closest(".hq-attachments");
    var found = problems(form, chosenFiles(form));
    if (found.length) {
      event.preventDefault();
      showErrors(card, found);
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        input.value = "";
      });
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = uploadForm(event);
    if (!form) return;
    showErrors(form.closest(".hq-attachments"), []);
    setBusy(form, true);
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event);
    if (!form || !event.detail.total) return;
    var bar = form.querySelector("[data-hq-upload-progress] .progress-bar");
    if (bar) bar.style.width = Math.round((100 * event.detail.loaded) / event.detail.total) + "%";
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = uploadForm(event);
    if (!form || !document.contains(form)) return;
    setBusy(form, false);
    if (!event.detail.successful) {
      var card = form.closest(".hq-attachments");
      showErrors(card, [card.dataset.uploadFailed]);
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        input.value = "";
      });
    }
  });

  // The viewer: tapping a photo or a file opens it in the card's dialog.
  document.addEventListener("click", function (event) {
    var item = event.target.closest("[data-hq-attachment]");
    if (!item || !window.bootstrap || event.ctrlKey || event.metaKey) return;
    var card = item.closest(".hq-attachments");
    var dialog = card && card.querySelector("[data-hq-viewer]");
    if (!dialog) return;
    event.preventDefault();
    var data = item.dataset;
    var image = dialog.querySelector("[data-hq-viewer-image]");
    var isImage = data.kind === "image";
    image.hidden = !isImage;
    image.alt = data.name;
    if (isImage) image.src = data.viewUrl;
    dialog.querySelector("[data-hq-viewer-icon]").hidden = isImage;
    dialog.querySelector("[data-hq-viewer-name]").textContent = data.name;
    dialog.querySelector("[data-hq-viewer-meta]").textContent = data.meta;
    dialog.querySelector("[data-hq-viewer-open]").href = data.viewUrl;
    dialog.querySelector("[data-hq-viewer-download]").href = data.downloadUrl;
    var remove = dialog.querySelector("[data-hq-viewer-remove]");
    if (remove) {
      remove.hidden = !data.removeUrl;
      remove.action = data.removeUrl || "";
      remove.querySelector("input[name=reason]").value = "";
    }
    window.bootstrap.Modal.getOrCreateInstance(dialog).show();
  });

  document.addEventListener("hidden.bs.modal", function (event) {
    var image = event.target.querySelector("[data-hq-viewer-image]");
    if (image) image.removeAttribute("src");
  });

  // Photo fields in forms: name the chosen files, and say at once which are too large.
  document.addEventListener("change", function (event) {
    var picker = event.target.closest("[data-hq-file-picker]");
    if (!picker) return;
    var files = chosenFiles(picker);
    var summary = picker.querySelector("[data-hq-file-summary]");
    var found = problems(picker, files);
    summary.classList.toggle("text-danger", found.length > 0);
    summary.textContent = found.length
      ? found.join(" ")
      : files.map(function (file) {
          return file.name + " (" + megabytes(file.size) + ")";
        }).join("、");
  });
})();
