// houqin: counting a stocktake on a phone. The page's JSON (#stocktake-data) holds the
// rooms and every line of the stocktake, so a scan is confirmed at once with no network.
// Each scan gets a UUID and waits in localStorage until the server has stored it; the
// server keeps the UUID under a unique constraint, so sending a scan twice is harmless.
// Photos of a scan (a damaged card, a 盘盈 item) are downscaled, kept in IndexedDB under
// their own UUID and uploaded once their scan has reached the server (as patrol.js does;
// HouqinPhotos and the QR reading are shared with it in offline.js).
(function () {
  "use strict";

  var root = document.querySelector("[data-stocktake]");
  if (!root) return;
  var data = JSON.parse(document.getElementById("stocktake-data").textContent);
  var T = JSON.parse(document.getElementById("stocktake-texts").textContent);
  var KEY = "houqin.stocktake." + data.id;
  var BATCH = 50;
  var NIL_UUID = "00000000-0000-0000-0000-000000000000";
  var $ = function (selector) { return root.querySelector(selector); };

  var rooms = {};
  var roomByCode = {};
  data.rooms.forEach(function (r) {
    var room = { id: r[0], name: r[1], building: r[2], code: r[3], token: r[4] };
    rooms[room.id] = room;
    if (room.code) roomByCode[room.code.toUpperCase()] = room;
    if (room.token) roomByCode[room.token.toUpperCase()] = room;
  });
  var lines = {};
  var lineByCode = {};
  data.lines.forEach(function (l) {
    var line = { id: l[0], number: l[1], name: l[2], token: l[3], place: l[4], counted: !!l[5] };
    lines[line.id] = line;
    lineByCode[line.number.toUpperCase()] = line;
    if (line.token) lineByCode[line.token.toUpperCase()] = line;
  });

  var state = load();
  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(KEY) || "null");
      if (saved && saved.queue) {
        saved.photos = saved.photos || [];
        return saved;
      }
    } catch (ignored) { /* a damaged entry: start afresh */ }
    return { queue: [], seen: {}, surplus: [], room: null, photos: [], last: null };
  }
  function save() { localStorage.setItem(KEY, JSON.stringify(state)); }

  var uuid4 = window.HouqinOffline.uuid4;
  var csrfToken = window.HouqinOffline.csrfToken;

  function fmt(text, value) {
    if (typeof value === "object") {
      return text.replace(/%\((\w+)\)s/g, function (_m, name) { return value[name]; });
    }
    return text.replace("%s", value);
  }

  // What a label or a door sign reads: our URL /q/<token>, a token, or a code typed.
  var codeOf = window.HouqinQr.tokenIn;

  // --- rooms -------------------------------------------------------------------------
  var select = $("[data-room-select]");
  function fillRooms() {
    var option = document.createElement("option");
    option.value = "";
    option.textContent = T.chooseRoom;
    select.appendChild(option);
    data.rooms.forEach(function (r) {
      var o = document.createElement("option");
      o.value = r[0];
      o.textContent = (r[2] ? r[2] + " " : "") + r[1] + (r[3] ? " (" + r[3] + ")" : "");
      select.appendChild(o);
    });
  }

  function enterRoom(room) {
    state.room = room ? room.id : null;
    state.last = null;
    save();
    render();
  }

  function readRoom(text) {
    var room = roomByCode[codeOf(text)];
    var error = $("[data-room-error]");
    if (!room) {
      error.textContent = T.noRoom;
      error.hidden = false;
      return false;
    }
    error.hidden = true;
    enterRoom(room);
    return true;
  }

  // --- scans -------------------------------------------------------------------------
  function observed() {
    var checked = root.querySelector("input[name=observed]:checked");
    return checked ? checked.value : "in_use";
  }

  function say(text, kind) {
    var box = $("[data-result]");
    box.className = "alert py-2 small alert-" + kind;
    box.textContent = text;
    box.hidden = false;
  }

  function queueScan(scan) {
    scan.uuid = uuid4();
    scan.place = state.room;
    scan.at = new Date().toISOString();
    state.queue.push(scan);
    save();
    sync();
    return scan.uuid;
  }

  function readAsset(text) {
    var code = codeOf(text);
    if (!code) return false;
    var line = lineByCode[code];
    if (!line) {
      state.last = null;
      render();
      say(fmt(T.unknown, text.trim()), "warning");
      var form = $("[data-surplus]");
      form.hidden = false;
      $("[data-surplus-name]").value = "";
      $("[data-surplus-note]").value = text.trim();
      $("[data-surplus-name]").focus();
      return true;
    }
    var status = observed();
    var again = state.seen[line.id] && state.seen[line.id][0] === state.room;
    state.seen[line.id] = [state.room, status];
    state.last = queueScan({ line: line.id, status: status });
    save();
    if (again) say(fmt(T.again, line.number + " " + line.name), "info");
    else if (line.place && line.place !== state.room) {
      var booked = rooms[line.place];
      say(fmt(T.wrongPlace, { name: line.number + " " + line.name, room: booked ? booked.name : "?" }), "warning");
    } else say(fmt(T.found, line.number + " " + line.name), "success");
    render();
    return true;
  }

  function saveSurplus(event) {
    event.preventDefault();
    var name = $("[data-surplus-name]").value.trim();
    if (!name) { $("[data-surplus-name]").focus(); return; }
    var note = $("[data-surplus-note]").value.trim();
    var input = $("[data-surplus-photo]");
    var files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    var scanId = queueScan({ name: name, note: note, status: observed() });
    state.surplus.push([scanId, state.room, name]);
    state.last = null;
    save();
    addPhotos(scanId, files);
    $("[data-surplus]").hidden = true;
    say(fmt(T.surplusSaved, name), "warning");
    render();
  }

  // --- photos ------------------------------------------------------------------------
  var photoStore = window.HouqinPhotos.store("houqin-stocktake");

  function addPhotos(scanId, files) {
    return files.reduce(function (chain, file) {
      return chain.then(function () { return addPhoto(scanId, file); });
    }, Promise.resolve());
  }

  function addPhoto(scanId, file) {
    var photoId = uuid4();
    return window.HouqinPhotos.keep(photoStore, file, { uuid: photoId, scan: scanId })
      .then(
        function () {
          state.photos.push({ uuid: photoId, scan: scanId, failed: "" });
          save();
          render();
          sync();
        },
        function () { window.alert(T.photoNotKept); }
      );
  }

  function waitingPhotos() {
    return state.photos.filter(function (photo) { return !photo.failed; });
  }

  // Only photos whose scan the server holds: their scan has left the queue.
  function uploadPhotos() {
    var queued = {};
    state.queue.forEach(function (scan) { queued[scan.uuid] = true; });
    return waitingPhotos()
      .filter(function (photo) { return !queued[photo.scan]; })
      .reduce(function (chain, photo) {
        return chain.then(function () { return uploadPhoto(photo); });
      }, Promise.resolve());
  }

  function dropPhoto(photoId, failed) {
    state.photos = state.photos
      .map(function (photo) {
        return photo.uuid === photoId ? (failed ? Object.assign(photo, { failed: failed }) : null) : photo;
      })
      .filter(Boolean);
    save();
  }

  function uploadPhoto(photo) {
    return photoStore
      .get(photo.uuid)
      .catch(function () { return null; })
      .then(function (record) {
        if (!record) { dropPhoto(photo.uuid, T.photoLost); return null; }
        return fetch(root.dataset.photoUrl.replace(NIL_UUID, photo.scan), {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
          body: window.HouqinPhotos.formFor(record),
        }).then(function (response) {
          if (response.ok) {
            dropPhoto(photo.uuid, "");
            return photoStore.remove(photo.uuid);
          }
          // Refused for good (not a picture, too large): said on the badge, kept on the phone.
          return response.json().catch(function () { return {}; }).then(function (body) {
            dropPhoto(photo.uuid, body.error || T.photoRefused);
          });
        });
      });
  }

  // --- sync --------------------------------------------------------------------------
  var syncing = false;
  var lastError = "";
  function sync() {
    if (syncing) return;
    if (!state.queue.length) {
      if (!waitingPhotos().length || !navigator.onLine) { showSync(); return; }
      syncing = true;
      uploadPhotos()
        .catch(function () { /* no signal: the photos wait in IndexedDB */ })
        .then(function () { syncing = false; showSync(); });
      return;
    }
    syncing = true;
    var batch = state.queue.slice(0, BATCH);
    fetch(root.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify({ scans: batch }),
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) {
          lastError = (result.body.errors || []).join(" ");
          return;
        }
        lastError = "";
        var saved = {};
        result.body.saved.forEach(function (u) { saved[u] = true; });
        state.queue = state.queue.filter(function (scan) { return !saved[scan.uuid]; });
        save();
      })
      .catch(function () { /* no signal: the scans wait in localStorage */ })
      .then(function () {
        syncing = false;
        showSync();
        if ((state.queue.length || waitingPhotos().length) && !lastError && navigator.onLine) {
          setTimeout(sync, 500);
        }
      });
  }

  function showSync() {
    var badge = $("[data-sync]");
    var waiting = state.queue.length + waitingPhotos().length;
    var failed = state.photos.filter(function (photo) { return photo.failed; });
    if (lastError) badge.textContent = fmt(T.syncError, lastError);
    else if (failed.length) badge.textContent = fmt(T.syncError, failed[0].failed);
    else if (!waiting) badge.textContent = T.synced;
    else badge.textContent = fmt(navigator.onLine ? T.pending : T.offline, waiting);
    badge.dataset.pending = waiting;
  }

  // --- drawing -----------------------------------------------------------------------
  function item(text) {
    var li = document.createElement("li");
    li.textContent = text;
    return li;
  }

  function render() {
    var room = state.room ? rooms[state.room] : null;
    $("[data-picker]").hidden = !!room;
    $("[data-room]").hidden = !room;
    showSync();
    if (!room) return;
    var last = $("[data-last-photo]");
    last.hidden = !state.last;
    if (state.last) {
      var count = state.photos.filter(function (photo) { return photo.scan === state.last; }).length;
      $("[data-last-photo-count]").textContent = count ? fmt(T.photoCount, count) : "";
    }
    $("[data-room-name]").textContent = (room.building ? room.building + " " : "") + room.name;
    var found = $("[data-found-list]");
    var missing = $("[data-missing-list]");
    found.textContent = "";
    missing.textContent = "";
    var foundCount = 0;
    var missingCount = 0;
    Object.keys(lines).forEach(function (id) {
      var line = lines[id];
      var seen = state.seen[id];
      var label = line.number + " " + line.name;
      if (seen && seen[0] === room.id) {
        found.appendChild(item("✓ " + label + (line.place !== room.id ? " ⚠" : "")));
        foundCount += 1;
      } else if (line.place === room.id && !seen && !line.counted) {
        missing.appendChild(item(label));
        missingCount += 1;
      } else if (line.place === room.id && !seen && line.counted) {
        found.appendChild(item("✓ " + label));
        foundCount += 1;
      }
    });
    data.surplus.concat(state.surplus).forEach(function (s) {
      if (s[1] === room.id) {
        found.appendChild(item("+ " + s[2]));
      }
    });
    $("[data-found-count]").textContent = foundCount;
    $("[data-missing-count]").textContent = missingCount;
  }

  // --- the camera (HouqinQr, offline.js) -----------------------------------------------
  // A room's code ends the scanning; asset labels are read one after the other.
  var cameraTarget = null;
  var camera = window.HouqinQr.camera($("[data-video]"), {
    jsqrSrc: root.dataset.jsqrSrc,
    say: function (key) {
      var looking = key === "starting" || key === "scanning";
      $("[data-camera-status]").textContent = looking ? T.scanning : T.noCamera;
    },
    onRead: function (text) {
      if (cameraTarget !== "room") readAsset(text);
      else if (readRoom(text)) camera.stop();
    },
    onStop: function () { $("[data-camera]").hidden = true; },
  });

  function startCamera(target) {
    cameraTarget = target;
    if (!window.HouqinQr.cameraAvailable()) {
      say(T.noCamera, "secondary");
      return;
    }
    $("[data-camera]").hidden = false;
    camera.start();
  }

  // --- wiring ------------------------------------------------------------------------
  fillRooms();
  $("[data-room-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("[data-room-code]");
    if (readRoom(input.value)) input.value = "";
  });
  select.addEventListener("change", function () {
    if (select.value) enterRoom(rooms[select.value]);
    select.value = "";
  });
  $("[data-room-change]").addEventListener("click", function () {
    $("[data-result]").hidden = true;
    $("[data-surplus]").hidden = true;
    enterRoom(null);
  });
  $("[data-asset-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("[data-asset-code]");
    if (readAsset(input.value)) input.value = "";
    input.focus();
  });
  $("[data-surplus]").addEventListener("submit", saveSurplus);
  $("[data-scan-photo]").addEventListener("change", function () {
    var input = $("[data-scan-photo]");
    var files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    if (state.last) addPhotos(state.last, files);
  });
  $("[data-surplus-cancel]").addEventListener("click", function () { $("[data-surplus]").hidden = true; });
  root.querySelectorAll("[data-camera-start]").forEach(function (button) {
    button.addEventListener("click", function () {
      startCamera(state.room ? "asset" : "room");
    });
  });
  $("[data-camera-stop]").addEventListener("click", camera.stop);
  // Counting goes on with no signal: the decoder must be here before it goes.
  window.HouqinQr.preload(root.dataset.jsqrSrc);
  window.addEventListener("online", sync);
  window.addEventListener("offline", showSync);
  setInterval(sync, 15000);
  render();
  sync();
})();
