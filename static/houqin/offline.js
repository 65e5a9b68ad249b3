// houqin: what the phone pages share (scan.js, patrol.js, stocktake.js). Include it before
// the page's own script (both deferred, so they run in that order).
//
// window.HouqinQr reads QR codes: with the camera (the browser's BarcodeDetector when it
// reads QR codes, else the self-hosted jsQR on video frames, loaded on demand from the
// page's data-jsqr-src), or from a photo of the label. Cameras need https (or localhost);
// a photo works everywhere.
//
// window.HouqinPhotos keeps photos on the phone until they can be uploaded: downscaled in
// the browser, stored as bytes in IndexedDB under their own UUID.
//
// window.HouqinOffline gives a record made on the phone its UUID (the server stores each
// once) and the CSRF token its upload sends.
(function () {
  "use strict";

  // --- Images -----------------------------------------------------------------------------

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

  // Draw ``source`` (video or image) into ``canvas``, at most ``maxSide`` pixels wide or high.
  function drawScaled(canvas, context, source, width, height, maxSide) {
    var scale = Math.min(1, maxSide / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
  }

  // =======================================================================================
  // QR codes

  var canvas = document.createElement("canvas");
  var context2d = canvas.getContext("2d", { willReadFrequently: true });
  var detectorPromise = null;
  var jsqrPromise = null;

  function jsqrError(message) {
    var error = new Error(message);
    error.jsqr = true;
    return error;
  }

  // jsQR, loaded once from ``src``; a failed load may be tried again later.
  function loadJsQR(src) {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    if (!jsqrPromise) {
      jsqrPromise = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () {
          window.jsQR ? resolve(window.jsQR) : reject(jsqrError("jsQR missing"));
        };
        script.onerror = function () {
          jsqrPromise = null;
          reject(jsqrError("jsQR failed to load"));
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
          .catch(function () { return null; });
      }
    }
    return detectorPromise;
  }

  // The decoder must be here before the signal goes (an offline page): load jsQR now unless
  // the browser reads QR codes itself.
  function preload(src) {
    nativeDetector().then(function (detector) {
      if (!detector) loadJsQR(src).catch(function () {});
    });
  }

  function decode(jsQR, source, width, height, maxSide, attempts) {
    drawScaled(canvas, context2d, source, width, height, maxSide);
    var image = context2d.getImageData(0, 0, canvas.width, canvas.height);
    var result = jsQR(image.data, image.width, image.height, { inversionAttempts: attempts });
    return result && result.data ? result.data : null;
  }

  // The text of the QR code in a photo, or null; rejects when the photo cannot be drawn or
  // jsQR cannot be loaded (the error has ``jsqr`` set).
  function readPhoto(file, jsqrSrc) {
    return Promise.all([loadImage(file), nativeDetector()]).then(function (loaded) {
      var image = loaded[0];
      var detector = loaded[1];
      var viaDetector = detector
        ? detector
            .detect(image)
            .then(function (codes) { return codes.length ? codes[0].rawValue : null; })
            .catch(function () { return null; })
        : Promise.resolve(null);
      return viaDetector.then(function (text) {
        if (text) return text;
        return loadJsQR(jsqrSrc).then(function (jsQR) {
          var width = image.naturalWidth;
          var height = image.naturalHeight;
          // A phone photo is large: try a moderate size first, then a small one.
          return (
            decode(jsQR, image, width, height, 1280, "attemptBoth") ||
            decode(jsQR, image, width, height, 640, "attemptBoth")
          );
        });
      });
    });
  }

  // What a label or a door sign reads: our URL …/q/<token>, or the bare token (or a code
  // typed by hand), in capitals.
  function tokenIn(text) {
    var value = String(text || "").normalize("NFKC").trim();
    var match = value.match(/\/q\/([0-9a-z]+)\/?(?:[?#].*)?$/i);
    return (match ? match[1] : value).toUpperCase();
  }

  function cameraAvailable() {
    return Boolean(
      window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia
    );
  }

  function cameraProblem(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") return "denied";
    if (name === "NotFoundError" || name === "OverconstrainedError") return "noCamera";
    if (error && error.jsqr) return "loaderFailed";
    return "cameraError";
  }

  // The camera on ``video``, looking for QR codes a few times a second. Options:
  //   jsqrSrc  where jsQR is, for browsers without a QR BarcodeDetector;
  //   onRead(text)  a code was read; the page may stop the camera, else it looks again
  //            after ``pause`` ms (1500: not the same wrong label five times a second);
  //   say(key, fallback)  what to tell: "starting", "scanning", or a problem ("denied",
  //            "noCamera", "loaderFailed", "cameraError"); ``fallback`` is the key to use
  //            when the page has no text for ``key``;
  //   onStart(), onStop()  show or hide the page's camera parts.
  // Returns { start, stop, running }. Leaving or hiding the page stops the camera.
  function camera(video, options) {
    var say = options.say || function () {};
    var pause = options.pause || 1500;
    var stream = null;
    var active = false;
    var scanning = false;
    var lastScan = 0;
    var run = 0; // counts starts and stops: what an older start finishes late is dropped
    var stale = {};

    function start() {
      if (active) return;
      active = true;
      var mine = (run += 1);
      say("starting");
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (mediaStream) {
          if (mine !== run) {
            stopTracks(mediaStream);
            throw stale;
          }
          stream = mediaStream;
          video.srcObject = stream;
          if (options.onStart) options.onStart();
          return video.play();
        })
        .then(function () {
          if (mine !== run) throw stale;
          scanning = true;
          say("scanning");
          return nativeDetector();
        })
        .then(function (detector) {
          if (detector) return detector;
          return loadJsQR(options.jsqrSrc).then(function () { return null; });
        })
        .then(function (detector) {
          if (mine === run) requestAnimationFrame(function () { tick(detector, mine); });
        })
        .catch(function (error) {
          if (error === stale || mine !== run) return;
          stop();
          say(cameraProblem(error), "cameraError");
        });
    }

    function tick(detector, mine) {
      if (!scanning || mine !== run) return;
      var now = Date.now();
      var next = function () {
        if (scanning && mine === run) requestAnimationFrame(function () { tick(detector, mine); });
      };
      // A few reads a second: enough to feel instant, light on a phone's battery.
      if (now - lastScan < 200 || video.readyState < 2 || !video.videoWidth) {
        next();
        return;
      }
      lastScan = now;
      var found = function (text) {
        if (text) {
          options.onRead(text);
          lastScan = now + pause;
        }
        next();
      };
      if (detector) {
        detector
          .detect(video)
          .then(function (codes) { found(codes.length ? codes[0].rawValue : null); })
          .catch(next);
        return;
      }
      found(decode(window.jsQR, video, video.videoWidth, video.videoHeight, 720, "dontInvert"));
    }

    function stopTracks(mediaStream) {
      mediaStream.getTracks().forEach(function (track) { track.stop(); });
    }

    function stop() {
      run += 1;
      active = false;
      scanning = false;
      if (stream) {
        stopTracks(stream);
        stream = null;
      }
      video.srcObject = null;
      if (options.onStop) options.onStop();
    }

    window.addEventListener("pagehide", stop);
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) stop();
    });
    return {
      start: start,
      stop: stop,
      running: function () { return active; },
    };
  }

  // The scanner markup of the scan page and the round page, inside ``root`` (which carries
  // data-jsqr-src): [data-scan-viewport] holding the <video>, the buttons [data-scan-start]
  // and [data-scan-stop], the photo input [data-scan-photo]. Options: onRead(text) and
  // say(key, fallback) as for camera(), with the photo's "reading" and "photoFailed" too.
  // Returns the camera.
  function panel(root, options) {
    var viewport = root.querySelector("[data-scan-viewport]");
    var startButton = root.querySelector("[data-scan-start]");
    var stopButton = root.querySelector("[data-scan-stop]");
    var photoInput = root.querySelector("[data-scan-photo]");
    var jsqrSrc = root.dataset.jsqrSrc;
    var say = options.say;
    var scanner = camera(viewport.querySelector("video"), {
      jsqrSrc: jsqrSrc,
      say: say,
      onRead: options.onRead,
      onStart: function () {
        viewport.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
      },
      onStop: function () {
        viewport.hidden = true;
        stopButton.hidden = true;
        startButton.hidden = !cameraAvailable();
      },
    });

    if (cameraAvailable()) {
      startButton.addEventListener("click", scanner.start);
      stopButton.addEventListener("click", scanner.stop);
    } else {
      startButton.hidden = true;
    }
    photoInput.addEventListener("change", function () {
      var file = photoInput.files && photoInput.files[0];
      photoInput.value = "";
      if (!file) return;
      say("reading");
      readPhoto(file, jsqrSrc).then(
        function (text) {
          if (text) options.onRead(text);
          else say("photoFailed");
        },
        function (error) {
          say(error && error.jsqr ? "loaderFailed" : "photoFailed", "photoFailed");
        }
      );
    });
    return scanner;
  }

  window.HouqinQr = {
    tokenIn: tokenIn,
    cameraAvailable: cameraAvailable,
    preload: preload,
    readPhoto: readPhoto,
    camera: camera,
    panel: panel,
  };

  // =======================================================================================
  // Photos kept for offline use

  // A store of photo records { uuid, type, data: ArrayBuffer, … } in the IndexedDB database
  // ``name``. Kept as bytes (older Safari cannot store Blobs) until the upload has
  // succeeded. Returns { put(record), get(uuid), remove(uuid) }, all promises; remove never
  // fails.
  function store(name) {
    var opening = null;

    function open() {
      if (!opening) {
        opening = new Promise(function (resolve, reject) {
          if (!window.indexedDB) {
            reject(new Error("indexedDB"));
            return;
          }
          var request = indexedDB.open(name, 1);
          request.onupgradeneeded = function () {
            request.result.createObjectStore("photos", { keyPath: "uuid" });
          };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
        opening.catch(function () { opening = null; });
      }
      return opening;
    }

    function run(mode, work) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var transaction = db.transaction("photos", mode);
          var request = work(transaction.objectStore("photos"));
          transaction.oncomplete = function () { resolve(request.result); };
          transaction.onerror = function () { reject(transaction.error); };
          transaction.onabort = function () { reject(transaction.error); };
        });
      });
    }

    return {
      put: function (record) {
        return run("readwrite", function (objects) { return objects.put(record); });
      },
      get: function (id) {
        return run("readonly", function (objects) { return objects.get(id); });
      },
      remove: function (id) {
        return run("readwrite", function (objects) { return objects.delete(id); }).catch(
          function () {}
        );
      },
    };
  }

  // At most ``maxSide`` (1600) px on the long side, as JPEG: a phone's 12-megapixel photo
  // would take minutes over a weak signal. Drawing also drops the EXIF (and the GPS in it).
  function downscale(file, maxSide) {
    return loadImage(file).then(
      function (image) {
        var scaled = document.createElement("canvas");
        drawScaled(
          scaled,
          scaled.getContext("2d"),
          image,
          image.naturalWidth,
          image.naturalHeight,
          maxSide || 1600
        );
        return new Promise(function (resolve) {
          scaled.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
        });
      },
      // A format this browser cannot draw (HEIC on some phones): sent as it is, the
      // server judges it.
      function () { return file; }
    );
  }

  // Downscale ``file`` and put it into ``photos`` (a store()) as ``record`` (its uuid and
  // what else the page keeps) with the bytes; resolves to the downscaled Blob.
  function keep(photos, file, record) {
    return downscale(file).then(function (blob) {
      return blob.arrayBuffer().then(function (data) {
        var stored = Object.assign({ type: blob.type || "image/jpeg", data: data }, record);
        return photos.put(stored).then(function () { return blob; });
      });
    });
  }

  function blobOf(record) {
    return new Blob([record.data], { type: record.type || "image/jpeg" });
  }

  // The upload's body: the photo and its UUID (the server stores each UUID once).
  function formFor(record) {
    var form = new FormData();
    form.append("photo", blobOf(record), record.name || record.uuid + ".jpg");
    form.append("photo_uuid", record.uuid);
    return form;
  }

  // --- Records made offline ----------------------------------------------------------------

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); })
      .join("");
    return [
      hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20),
    ].join("-");
  }

  // The csrftoken cookie; else the page's own copy (``fallback``, or the body's hx-headers).
  function csrfToken(fallback) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    if (fallback) return fallback;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || "";
    } catch (ignored) {
      return "";
    }
  }

  window.HouqinOffline = { uuid4: uuid4, csrfToken: csrfToken };

  window.HouqinPhotos = {
    store: store,
    downscale: downscale,
    keep: keep,
    blobOf: blobOf,
    formFor: formFor,
  };
})();
