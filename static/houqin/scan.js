// houqin: the scan page. A QR read by the camera (the browser's BarcodeDetector, else the
// self-hosted jsQR on video frames) or from a photo is put into the manual-entry form and
// submitted; the server resolves the token, URL or code. Cameras need https (or
// localhost); a photo and typing work everywhere.
(function () {
  "use strict";

  var root = document.querySelector("[data-scanner]");
  var form = document.querySelector("[data-scan-form]");
  if (!root || !form) return;

  var input = form.querySelector("input[name=code]");
  var status = root.querySelector("[data-scan-status]");
  var viewport = root.querySelector("[data-scan-viewport]");
  var video = root.querySelector("[data-scan-video]");
  var startButton = root.querySelector("[data-scan-start]");
  var stopButton = root.querySelector("[data-scan-stop]");
  var photoInput = root.querySelector("[data-scan-photo]");
  var insecure = root.querySelector("[data-scan-insecure]");
  var keyboardToggle = form.querySelector("[data-keyboard-toggle]");

  var stream = null;
  var scanning = false;
  var submitted = false;
  var lastScan = 0;
  var canvas = document.createElement("canvas");
  var context2d = canvas.getContext("2d", { willReadFrequently: true });
  var detectorPromise = null;
  var jsqrPromise = null;

  function say(key) {
    var text = status.dataset["text" + key.charAt(0).toUpperCase() + key.slice(1)];
    if (text) status.textContent = text;
  }

  // --- Decoders -------------------------------------------------------------------------

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    if (!jsqrPromise) {
      jsqrPromise = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = root.dataset.jsqrSrc;
        script.onload = function () {
          window.jsQR ? resolve(window.jsQR) : reject(new Error("jsQR missing"));
        };
        script.onerror = function () {
          jsqrPromise = null;
          reject(new Error("jsQR failed to load"));
        };
        document.head.appendChild(script);
      });
    }
    return jsqrPromise;
  }

  // The browser's own detector when it reads QR codes; null otherwise.
  function nativeDetector() {
    if (!detectorPromise) {
      detectorPromise = Promise.resolve(null);
      if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
        detectorPromise = window.BarcodeDetector.getSupportedFormats()
          .then(function (formats) {
            return formats.indexOf("qr_code") >= 0
              ? new window.BarcodeDetector({ formats: ["qr_code"] })
              : null;
          })
          .catch(function () {
            return null;
          });
      }
    }
    return detectorPromise;
  }

  // Draw ``source`` (video or image) into the canvas, at most ``maxSide`` pixels wide or high.
  function draw(source, width, height, maxSide) {
    var scale = Math.min(1, maxSide / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    context2d.drawImage(source, 0, 0, canvas.width, canvas.height);
    return context2d.getImageData(0, 0, canvas.width, canvas.height);
  }

  function decodeWithJsQR(jsQR, source, width, height, maxSide, attempts) {
    var image = draw(source, width, height, maxSide);
    var result = jsQR(image.data, image.width, image.height, { inversionAttempts: attempts });
    return result && result.data ? result.data : null;
  }

  // --- What was read -------------------------------------------------------------------

  function found(text) {
    if (submitted || !text) return;
    submitted = true;
    stopCamera();
    say("found");
    input.value = text.trim();
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  // --- Camera --------------------------------------------------------------------------

  function cameraAvailable() {
    return (
      window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia
    );
  }

  function startCamera() {
    say("starting");
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (mediaStream) {
        stream = mediaStream;
        video.srcObject = stream;
        viewport.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        return video.play();
      })
      .then(function () {
        scanning = true;
        say("scanning");
        return nativeDetector();
      })
      .then(function (detector) {
        if (detector) return detector;
        return loadJsQR().then(function () {
          return null;
        });
      })
      .then(function (detector) {
        if (scanning) requestAnimationFrame(function () { tick(detector); });
      })
      .catch(function (error) {
        stopCamera();
        var name = error && error.name;
        if (name === "NotAllowedError" || name === "SecurityError") say("denied");
        else if (name === "NotFoundError" || name === "OverconstrainedError") say("nocamera");
        else if (error && /jsQR/.test(error.message)) say("loaderFailed");
        else say("cameraError");
      });
  }

  function tick(detector) {
    if (!scanning) return;
    var now = Date.now();
    // A few reads a second: enough to feel instant, light on a phone's battery.
    if (now - lastScan < 200 || video.readyState < 2 || !video.videoWidth) {
      requestAnimationFrame(function () { tick(detector); });
      return;
    }
    lastScan = now;
    var next = function () {
      if (scanning) requestAnimationFrame(function () { tick(detector); });
    };
    if (detector) {
      detector
        .detect(video)
        .then(function (codes) {
          if (codes.length) found(codes[0].rawValue);
          else next();
        })
        .catch(next);
      return;
    }
    var text = decodeWithJsQR(
      window.jsQR, video, video.videoWidth, video.videoHeight, 720, "dontInvert"
    );
    if (text) found(text);
    else next();
  }

  function stopCamera() {
    scanning = false;
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    viewport.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = !cameraAvailable();
  }

  // --- Photo ---------------------------------------------------------------------------

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        resolve(image);
        URL.revokeObjectURL(url);
      };
      image.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("image"));
      };
      image.src = url;
    });
  }

  function readPhoto(file) {
    say("reading");
    Promise.all([loadImage(file), nativeDetector()])
      .then(function (loaded) {
        var image = loaded[0];
        var detector = loaded[1];
        var width = image.naturalWidth;
        var height = image.naturalHeight;
        var viaDetector = detector
          ? detector
              .detect(image)
              .then(function (codes) { return codes.length ? codes[0].rawValue : null; })
              .catch(function () { return null; })
          : Promise.resolve(null);
        return viaDetector.then(function (text) {
          if (text) return text;
          return loadJsQR().then(function (jsQR) {
            // A phone photo is large: try a moderate size first, then a small one.
            return (
              decodeWithJsQR(jsQR, image, width, height, 1280, "attemptBoth") ||
              decodeWithJsQR(jsQR, image, width, height, 640, "attemptBoth")
            );
          });
        });
      })
      .then(function (text) {
        if (text) found(text);
        else say("photoFailed");
      })
      .catch(function (error) {
        say(error && /jsQR/.test(error.message) ? "loaderFailed" : "photoFailed");
      });
  }

  // --- Wiring --------------------------------------------------------------------------

  if (cameraAvailable()) {
    startButton.addEventListener("click", startCamera);
    stopButton.addEventListener("click", stopCamera);
  } else {
    startButton.hidden = true;
    if (!window.isSecureContext) insecure.hidden = false;
  }

  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    photoInput.value = "";
    if (file) readPhoto(file);
  });

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
    stopCamera();
  });

  window.addEventListener("pagehide", stopCamera);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stopCamera();
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
