// houqin: patrol rounds on the phone, offline first.
//
// The round page (patrols:round_start) renders everything a round needs as JSON
// (#round-data). From then on the page works without signal: every scan, answer and photo
// is kept in the browser the moment it happens (the round in localStorage, photos in
// IndexedDB) under the round's client-made UUID, and the whole round is POSTed to
// patrols:sync whenever the network allows. The server upserts by those UUIDs, so sending
// a round again changes nothing.
//
// There is no service worker: they need https, which school intranets often lack. So the
// page itself must be opened while online, before the walk starts (the page says so).
// The other patrol pages include this file only to send what is still waiting: the
// banner ([data-patrol-sync], patrols/phone/_sync.html) carries the URLs and the texts.
(function () {
  "use strict";

  var banner = document.querySelector("[data-patrol-sync]");
  if (!banner) return;

  var STORE_KEY = "houqin.patrol.rounds";
  var NIL_UUID = "00000000-0000-0000-0000-000000000000";
  var BATCH = 20;
  var userId = String(banner.dataset.user);
  var syncUrl = banner.dataset.syncUrl;
  var photoUrl = banner.dataset.photoUrl; // NIL_UUID stands for the answer's UUID

  function format(text, params) {
    return String(text).replace(/%\((\w+)\)s/g, function (match, name) {
      return params && params[name] !== undefined ? params[name] : match;
    });
  }

  function bannerText(name, params) {
    var key = "text" + name.charAt(0).toUpperCase() + name.slice(1);
    return format(banner.dataset[key] || "", params);
  }

  var uuid4 = window.HouqinOffline.uuid4;

  function nowIso() {
    return new Date().toISOString();
  }

  // --- Rounds in localStorage ------------------------------------------------------------
  // One object { uuid: round } for every round not yet wholly on the server. Read afresh
  // on every use, so two tabs never overwrite each other's rounds with a stale copy.

  var storageBroken = false;

  function loadAll() {
    try {
      return JSON.parse(localStorage.getItem(STORE_KEY) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function saveAll(all) {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify(all));
      storageBroken = false;
    } catch (error) {
      // Full, or forbidden (private browsing): the banner says so loudly; the round then
      // lives only in this page and in what already reached the server.
      storageBroken = true;
    }
  }

  function getRound(id) {
    return loadAll()[id] || null;
  }

  // Change one round and count the change, so a sync under way knows it sent an older one.
  function updateRound(id, change) {
    var all = loadAll();
    var round = all[id];
    if (!round) return;
    change(round);
    round.rev += 1;
    saveAll(all);
  }

  function mine(round) {
    return String(round.user) === userId;
  }

  function myRounds() {
    var all = loadAll();
    return Object.keys(all)
      .map(function (id) { return all[id]; })
      .filter(mine);
  }

  function waitingPhotos(round) {
    return round.photos.filter(function (photo) { return !photo.uploaded && !photo.failed; });
  }

  function refused(round) {
    return round.errors && round.errors.length > 0;
  }

  function unsent(round) {
    return round.rev > round.synced_rev && !refused(round);
  }

  // How many things have still to reach the server: rounds with unsent changes, photos.
  function pendingCount() {
    return myRounds().reduce(function (count, round) {
      if (refused(round)) return count;
      return count + (unsent(round) ? 1 : 0) + waitingPhotos(round).length;
    }, 0);
  }

  // --- Photos in IndexedDB (HouqinPhotos, offline.js) --------------------------------------

  var photoStore = window.HouqinPhotos.store("houqin-patrol");

  // --- Talking to the server -------------------------------------------------------------

  function csrfToken() {
    return window.HouqinOffline.csrfToken(banner.dataset.csrf);
  }

  function Problem(kind) {
    this.kind = kind; // "network" | "login" | "server"
  }

  // The JSON reply, or a Problem: a redirect (the login page, after the idle sign-out) or
  // a 403 means "sign in again"; a 5xx or an HTML page means "try again later".
  function send(url, body, headers) {
    var options = {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRFToken": csrfToken(), Accept: "application/json" }, headers),
    };
    return fetch(url, options).then(
      function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          throw new Problem("login");
        }
        var type = response.headers.get("Content-Type") || "";
        if (response.status >= 500 || type.indexOf("application/json") < 0) {
          throw new Problem("server");
        }
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      },
      function () {
        throw new Problem("network");
      }
    );
  }

  function roundBody(round) {
    return {
      uuid: round.uuid,
      route: round.route,
      place: round.place,
      checklist_version: round.checklist_version,
      expected: round.expected,
      started_at: round.started_at,
      finished_at: round.finished_at,
      note: round.note,
      visits: round.visits,
      answers: round.answers,
    };
  }

  var sync = { busy: false, again: false, timer: null, delay: 0, problem: "", listeners: [] };
  // The round the page shows stays here until the page is left, so its summary stays.
  var keepRound = null;

  function postRounds() {
    var batch = myRounds().filter(unsent).slice(0, BATCH);
    if (!batch.length) return Promise.resolve();
    var sentRev = {};
    batch.forEach(function (round) { sentRev[round.uuid] = round.rev; });
    var body = JSON.stringify({ rounds: batch.map(roundBody) });
    return send(syncUrl, body, { "Content-Type": "application/json" }).then(function (reply) {
      if (reply.status !== 200) throw new Problem("server");
      var all = loadAll();
      (reply.data.rounds || []).forEach(function (result) {
        var round = all[result.uuid];
        if (!round || !(result.uuid in sentRev)) return;
        if (result.errors && result.errors.length) {
          round.errors = result.errors;
          return;
        }
        round.errors = [];
        round.synced_rev = Math.max(round.synced_rev, sentRev[result.uuid]);
        round.server = {
          id: result.id,
          url: result.url,
          state: result.state,
          hazards: result.hazards || [],
        };
      });
      saveAll(all);
      // More than one batch, or changes made while this one was on its way.
      if (myRounds().some(unsent)) return postRounds();
    });
  }

  function uploadPhotos() {
    var queue = [];
    myRounds().forEach(function (round) {
      // Only once the server holds the answers the photos belong to.
      if (!round.server || round.synced_rev < round.rev) return;
      waitingPhotos(round).forEach(function (photo) {
        queue.push({ round: round.uuid, photo: photo });
      });
    });
    return queue.reduce(function (chain, entry) {
      return chain.then(function () { return uploadPhoto(entry.round, entry.photo); });
    }, Promise.resolve());
  }

  function uploadPhoto(roundId, photo) {
    return photoStore
      .get(photo.uuid)
      .catch(function () { return null; })
      .then(function (record) {
        if (!record) {
          markPhoto(roundId, photo.uuid, { failed: bannerText("photoLost") });
          return null;
        }
        var form = window.HouqinPhotos.formFor(record);
        return send(photoUrl.replace(NIL_UUID, photo.answer), form, {}).then(function (reply) {
          if (reply.status >= 200 && reply.status < 300) {
            markPhoto(roundId, photo.uuid, { uploaded: true });
            return photoStore.remove(photo.uuid);
          }
          // Refused for good: not a picture, too large, the answer was not accepted.
          markPhoto(roundId, photo.uuid, {
            failed: (reply.data && reply.data.error) || bannerText("photoRefused"),
          });
        });
      });
  }

  function markPhoto(roundId, photoId, fields) {
    var all = loadAll();
    var round = all[roundId];
    if (!round) return;
    round.photos.forEach(function (photo) {
      if (photo.uuid === photoId) Object.assign(photo, fields);
    });
    saveAll(all);
  }

  // A finished round the server holds, with nothing left to send, is done with here.
  function cleanup() {
    var all = loadAll();
    var changed = false;
    Object.keys(all).forEach(function (id) {
      var round = all[id];
      if (id === keepRound || !mine(round)) return;
      var done =
        round.server &&
        round.server.state === "finished" &&
        round.synced_rev >= round.rev &&
        waitingPhotos(round).length === 0;
      if (!done) return;
      round.photos.forEach(function (photo) { photoStore.remove(photo.uuid); });
      delete all[id];
      changed = true;
    });
    if (changed) saveAll(all);
  }

  function flush() {
    if (sync.busy) {
      sync.again = true;
      return;
    }
    clearTimeout(sync.timer);
    if (!navigator.onLine) {
      notify();
      return;
    }
    sync.busy = true;
    notify();
    postRounds()
      .then(uploadPhotos)
      .then(
        function () {
          sync.delay = 0;
          sync.problem = "";
          cleanup();
        },
        function (error) {
          sync.problem = error instanceof Problem ? error.kind : "server";
          // Signed out: retrying is useless until the person signs in again.
          if (sync.problem !== "login") retryLater();
        }
      )
      .then(function () {
        sync.busy = false;
        notify();
        if (sync.again) {
          sync.again = false;
          flush();
        }
      });
  }

  function retryLater() {
    sync.delay = Math.min(sync.delay ? sync.delay * 2 : 5000, 300000);
    clearTimeout(sync.timer);
    sync.timer = setTimeout(flush, sync.delay);
  }

  var soonTimer = null;

  // After a change: soon, not on every keystroke.
  function flushSoon() {
    clearTimeout(soonTimer);
    soonTimer = setTimeout(flush, 600);
  }

  // --- The banner: 在线/离线, N 条待同步 ---------------------------------------------------

  var stateLabel = banner.querySelector("[data-sync-state]");
  var pendingLabel = banner.querySelector("[data-sync-pending]");
  var problemBox = banner.querySelector("[data-sync-problem]");
  var retryButton = banner.querySelector("[data-sync-retry]");
  var refusedBox = banner.querySelector("[data-sync-rejected]");
  var alwaysShown = banner.hasAttribute("data-always");

  function notify() {
    var online = navigator.onLine && sync.problem !== "network";
    var count = pendingCount();
    stateLabel.textContent = bannerText(online ? "online" : "offline");
    stateLabel.className = "badge " + (online ? "text-bg-success" : "text-bg-secondary");
    var says = "pending";
    if (storageBroken) says = "storageBroken";
    else if (!count) says = "synced";
    else if (sync.busy) says = "uploading";
    else if (!navigator.onLine) says = "waitOnline";
    pendingLabel.textContent = bannerText(says, { count: count });

    var problem = count && navigator.onLine && !sync.busy ? sync.problem : "";
    problemBox.hidden = !problem;
    problemBox.querySelector("span").textContent = problem
      ? bannerText(problem === "login" ? "login" : "failed")
      : "";
    problemBox.querySelector("a").hidden = problem !== "login";
    retryButton.hidden = !problem || problem === "login";

    var bad = myRounds().filter(refused);
    showRefused(bad);
    var warn = Boolean(count && !online) || storageBroken || Boolean(problem);
    banner.hidden = !alwaysShown && !count && !bad.length && !storageBroken;
    banner.classList.toggle("alert-warning", warn);
    banner.classList.toggle("alert-light", !warn);
    sync.listeners.forEach(function (listener) { listener(); });
  }

  function showRefused(rounds) {
    refusedBox.replaceChildren();
    refusedBox.hidden = !rounds.length;
    rounds.forEach(function (round) {
      var row = document.createElement("div");
      row.className = "small text-danger mt-1";
      row.setAttribute("data-testid", "sync-rejected");
      row.textContent = bannerText("rejected", {
        title: round.title,
        reason: round.errors.join("；"),
      });
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "btn btn-link btn-sm p-0 ms-2 align-baseline";
      drop.textContent = bannerText("discard");
      drop.addEventListener("click", function () {
        if (!window.confirm(bannerText("discardConfirm"))) return;
        var all = loadAll();
        if (all[round.uuid]) {
          all[round.uuid].photos.forEach(function (photo) { photoStore.remove(photo.uuid); });
          delete all[round.uuid];
          saveAll(all);
        }
        notify();
      });
      row.appendChild(drop);
      refusedBox.appendChild(row);
    });
  }

  // A refused round is offered once more on each page load: the reason may have passed
  // (two syncs colliding); a lasting one comes back with the same message.
  function offerRefusedAgain() {
    var all = loadAll();
    var changed = false;
    Object.keys(all).forEach(function (id) {
      if (mine(all[id]) && refused(all[id])) {
        all[id].errors = [];
        changed = true;
      }
    });
    if (changed) saveAll(all);
  }

  retryButton.addEventListener("click", function () {
    sync.delay = 0;
    flush();
  });
  window.addEventListener("online", function () {
    sync.delay = 0;
    sync.problem = "";
    flush();
  });
  window.addEventListener("offline", notify);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && pendingCount()) flush();
  });
  // Another tab changed the rounds.
  window.addEventListener("storage", function (event) {
    if (event.key === STORE_KEY) notify();
  });

  offerRefusedAgain();
  var dataNode = document.getElementById("round-data");
  if (dataNode) {
    roundPage(
      JSON.parse(dataNode.textContent),
      JSON.parse(document.getElementById("round-texts").textContent)
    );
  }
  notify();
  flush();

  // =======================================================================================
  // The round page

  function roundPage(payload, T) {
    var root = document.querySelector("[data-round]");
    var list = root.querySelector("[data-checkpoints]");
    var progress = root.querySelector("[data-progress]");
    var alarm = root.querySelector("[data-alarm]");
    var actions = root.querySelector("[data-actions]");
    var finishPanel = root.querySelector("[data-finish]");
    var summary = root.querySelector("[data-summary]");
    var toastBox = root.querySelector("[data-toast]");
    var scanner = scannerPanel(root.querySelector("[data-scanner]"), T);

    function t(key, params) {
      return format(T[key] || key, params);
    }

    var page = payload.page;
    var isRoute = Boolean(payload.route);
    var versions = {};
    payload.versions.forEach(function (version) { versions[version.id] = version; });
    // A checkpoint answers its own checklist's items if it has one, else the round's.
    var checkpoints = payload.checkpoints.map(function (point) {
      var place = point.place;
      var version = versions[point.checklist_version] || { items: [] };
      return {
        place: place.id,
        name: place.name,
        where: [place.building, place.floor, place.code].filter(Boolean).join(" · "),
        code: place.code,
        token: place.token,
        items: version.items,
      };
    });

    var roundId = findRound();
    var cached;
    var photoUrls = {};
    var cards = [];
    var alarmKeys = "";
    var toastTimer = null;

    // An unfinished round of this start (the same route, place or expected round) is
    // continued; a finished one of an expected round is shown as done.
    function findRound() {
      var candidates = myRounds().filter(function (round) { return round.key === page.key; });
      var open = candidates.filter(function (round) { return !round.finished_at; });
      if (open.length) return open[0].uuid;
      if (payload.expected) {
        var done = candidates.filter(function (round) { return round.finished_at; });
        if (done.length) return done[0].uuid;
      }
      return null;
    }

    // Read once per redraw, not once per item: every change and every sync drops it.
    function round() {
      if (cached === undefined) cached = roundId ? getRound(roundId) : null;
      return cached;
    }

    function forget() {
      cached = undefined;
    }

    // The round is made on the first scan or answer: opening the page makes nothing.
    function ensureRound() {
      if (roundId && getRound(roundId)) return;
      var all = loadAll();
      // Made here, never taken from the page: a page restored from the browser's cache
      // would otherwise reuse the UUID of a round already finished on the server.
      roundId = uuid4();
      all[roundId] = {
        uuid: roundId,
        user: userId,
        key: page.key,
        title: page.title,
        route: payload.route ? payload.route.id : null,
        place: payload.place,
        checklist_version: payload.checklist_version,
        expected: payload.expected ? payload.expected.id : null,
        started_at: nowIso(),
        finished_at: null,
        note: "",
        visits: [],
        answers: [],
        photos: [],
        errors: [],
        server: null,
        rev: 1,
        synced_rev: 0,
      };
      saveAll(all);
      keepRound = roundId;
      forget();
    }

    function change(mutate) {
      ensureRound();
      updateRound(roundId, mutate);
      flushSoon();
      notify(); // the banner's count, then this page (one of its listeners)
    }

    function visitOf(checkpoint) {
      var current = round();
      if (!current) return null;
      return current.visits.filter(function (v) { return v.place === checkpoint.place; })[0];
    }

    function answerOf(current, checkpoint, item) {
      if (!current) return null;
      return current.answers.filter(function (a) {
        return a.place === checkpoint.place && a.item === item.id;
      })[0];
    }

    function photosOf(current, answer) {
      if (!current || !answer) return [];
      return current.photos.filter(function (photo) { return photo.answer === answer.uuid; });
    }

    // Items show once the checkpoint is reached; a place inspection needs no scan first.
    function reached(checkpoint) {
      return !isRoute || Boolean(visitOf(checkpoint));
    }

    // --- Answers -------------------------------------------------------------------------

    function setAnswer(checkpoint, item, fields) {
      change(function (current) {
        var answer = answerOf(current, checkpoint, item);
        if (!answer) {
          answer = {
            uuid: uuid4(),
            item: item.id,
            place: checkpoint.place,
            result: "",
            number: null,
            text: "",
            note: "",
          };
          current.answers.push(answer);
        }
        Object.assign(answer, fields);
        answer.answered_at = nowIso();
        // The number items of a checkpoint judge each other (counts that must match).
        checkpoint.items.forEach(function (other) {
          var otherAnswer = answerOf(current, checkpoint, other);
          if (other.answer_type === "number" && otherAnswer) {
            otherAnswer.result = numberResult(current, checkpoint, other);
          }
        });
      });
    }

    function parseNumber(text) {
      var value = String(text || "").trim().replace(/[，,]/g, ".");
      if (!value) return null;
      var number = Number(value);
      return isFinite(number) ? number : NaN;
    }

    function outOfRange(item, number) {
      if (number === null || isNaN(number)) return false;
      return (
        (item.min !== null && number < Number(item.min)) ||
        (item.max !== null && number > Number(item.max))
      );
    }

    // The count this item must equal (the escort's off count, the on count) when both
    // are in and differ.
    function mismatch(current, checkpoint, item) {
      if (!item.must_equal_key) return null;
      var other = checkpoint.items.filter(function (i) {
        return i.key === item.must_equal_key;
      })[0];
      var mineAnswer = answerOf(current, checkpoint, item);
      var theirs = other && answerOf(current, checkpoint, other);
      if (!mineAnswer || !theirs || mineAnswer.number === null || theirs.number === null) {
        return null;
      }
      if (Number(mineAnswer.number) === Number(theirs.number)) return null;
      return { item: item, other: other, value: mineAnswer.number, expected: theirs.number };
    }

    function numberResult(current, checkpoint, item) {
      var answer = answerOf(current, checkpoint, item);
      if (!answer || answer.number === null) return "";
      var bad = outOfRange(item, Number(answer.number)) || mismatch(current, checkpoint, item);
      return bad ? "fail" : "pass";
    }

    function answered(current, checkpoint, item) {
      var answer = answerOf(current, checkpoint, item);
      if (!answer) return false;
      if (item.answer_type === "pass_fail") return Boolean(answer.result);
      if (item.answer_type === "number") return answer.number !== null;
      if (item.answer_type === "text") return Boolean(answer.text.trim());
      return photosOf(current, answer).length > 0;
    }

    function needsPhoto(current, checkpoint, item) {
      var answer = answerOf(current, checkpoint, item);
      return Boolean(
        item.photo_on_fail &&
          answer &&
          answer.result === "fail" &&
          !photosOf(current, answer).length
      );
    }

    // --- Photos --------------------------------------------------------------------------

    function addPhoto(checkpoint, item, file) {
      var photoId = uuid4();
      // The photo belongs to the answer, which must exist (a photo item has no other input).
      setAnswer(checkpoint, item, {});
      var answerId = answerOf(round(), checkpoint, item).uuid;
      var record = { uuid: photoId, round: roundId, answer: answerId, name: photoId + ".jpg" };
      return window.HouqinPhotos.keep(photoStore, file, record)
        .then(function (blob) {
          photoUrls[photoId] = URL.createObjectURL(blob);
        })
        .then(
          function () {
            change(function (current) {
              current.photos.push({ uuid: photoId, answer: answerId, uploaded: false, failed: "" });
            });
          },
          function () {
            window.alert(t("photoNotKept"));
          }
        );
    }

    function showPhoto(photoId, image) {
      if (photoUrls[photoId]) {
        image.src = photoUrls[photoId];
        return;
      }
      photoStore
        .get(photoId)
        .then(function (record) {
          if (!record) return;
          photoUrls[photoId] = URL.createObjectURL(window.HouqinPhotos.blobOf(record));
          image.src = photoUrls[photoId];
        })
        .catch(function () {});
    }

    // --- Visits (scans) ------------------------------------------------------------------

    // A scanned label holds our URL (…/q/<token>) or the bare token.
    var tokenIn = window.HouqinQr.tokenIn;

    // The checkpoint a scan or a typed code names: the token, or (typed) the place code.
    function checkpointFor(text, typed) {
      var code = String(text || "").normalize("NFKC").replace(/\s+/g, "").toUpperCase();
      if (typed && code.indexOf("P:") === 0) code = code.slice(2);
      var token = tokenIn(text);
      return checkpoints.filter(function (checkpoint) {
        if (checkpoint.token && checkpoint.token.toUpperCase() === token) return true;
        return typed && checkpoint.code && checkpoint.code.toUpperCase() === code;
      })[0];
    }

    // What the scanner read (method "qr"), or what was typed (method "manual": kept, but
    // no proof of presence). The server checks the token again.
    function arrive(text, typed) {
      var checkpoint = checkpointFor(text, typed);
      if (!checkpoint) return { ok: false, message: t(typed ? "unknownCode" : "unknownQr") };
      var earlier = visitOf(checkpoint);
      if (earlier) {
        return {
          ok: true,
          checkpoint: checkpoint,
          message: t("alreadyVisited", { name: checkpoint.name, time: clock(earlier.scanned_at) }),
        };
      }
      change(function (current) {
        current.visits.push({
          uuid: uuid4(),
          place: checkpoint.place,
          token: typed ? "" : tokenIn(text),
          method: typed ? "manual" : "qr",
          scanned_at: nowIso(),
        });
      });
      return {
        ok: true,
        checkpoint: checkpoint,
        message: t(typed ? "arrivedManual" : "arrived", { name: checkpoint.name }),
      };
    }

    function clock(iso) {
      var date = new Date(iso);
      var pad = function (n) { return String(n).padStart(2, "0"); };
      return pad(date.getHours()) + ":" + pad(date.getMinutes());
    }

    function toast(message) {
      toastBox.textContent = message;
      toastBox.hidden = false;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(function () { toastBox.hidden = true; }, 4000);
    }

    // --- Drawing -------------------------------------------------------------------------

    // el("div", {className: "x", text: "…", "data-testid": "y"}, [children]): "text" and
    // properties the element has are set as properties, the rest as attributes.
    function el(tag, attrs, children) {
      var node = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = value;
        else if (name in node && name.indexOf("-") < 0 && name !== "role") node[name] = value;
        else node.setAttribute(name, value === true ? "" : value);
      });
      (children || []).forEach(function (child) {
        if (!child) return;
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      });
      return node;
    }

    function buildCheckpoint(checkpoint, index) {
      var state = el("span", { className: "badge", "data-testid": "checkpoint-state" });
      var scanButton = el(
        "button",
        {
          type: "button",
          className: isRoute
            ? "btn btn-primary btn-lg w-100 mt-2"
            : "btn btn-outline-primary w-100 mt-2",
          "data-testid": "checkpoint-scan",
        },
        [el("i", { className: "bi bi-qr-code-scan" }), " ", t(isRoute ? "scanHere" : "scanPlace")]
      );
      scanButton.addEventListener("click", function () { scanner.open(checkpoint); });
      var items = el("div", { className: "hq-round-items" });
      var refreshers = checkpoint.items.map(function (item) {
        var built = buildItem(checkpoint, item);
        items.appendChild(built.node);
        return built.refresh;
      });
      if (!checkpoint.items.length) {
        items.appendChild(el("p", { className: "small text-muted mb-0", text: t("noItems") }));
      }
      var heading = el("div", { className: "d-flex align-items-start gap-2" }, [
        el("span", { className: "hq-round-number", text: isRoute ? String(index + 1) : "" }),
        el("div", { className: "flex-grow-1" }, [
          el("div", { className: "fw-semibold", text: checkpoint.name }),
          el("div", { className: "small text-muted", text: checkpoint.where }),
        ]),
        state,
      ]);
      var node = el(
        "li",
        {
          className: "hq-card hq-round-checkpoint",
          "data-testid": "checkpoint",
          "data-place": checkpoint.place,
        },
        [heading, scanButton, items]
      );

      function refresh() {
        var visit = visitOf(checkpoint);
        var qr = Boolean(visit && visit.method === "qr");
        if (visit) {
          state.textContent = t(qr ? "visitedQr" : "visitedManual", {
            time: clock(visit.scanned_at),
          });
          state.className = "badge " + (qr ? "text-bg-success" : "text-bg-warning");
        } else {
          state.textContent = t(isRoute ? "notVisited" : "notScanned");
          state.className = "badge text-bg-light border";
        }
        var current = round();
        scanButton.hidden = Boolean(visit) || Boolean(current && current.finished_at);
        items.hidden = !reached(checkpoint);
        node.classList.toggle("hq-round-done", Boolean(visit));
        refreshers.forEach(function (refreshItem) { refreshItem(); });
      }

      return { node: node, refresh: refresh, checkpoint: checkpoint };
    }

    function resultButtons(checkpoint, item) {
      var group = el("div", { className: "hq-round-results", role: "group" });
      var buttons = [
        ["pass", "btn-outline-success", "check-lg"],
        ["fail", "btn-outline-danger", "x-lg"],
        ["na", "btn-outline-secondary", "dash-lg"],
      ].map(function (spec) {
        var button = el(
          "button",
          {
            type: "button",
            className: "btn " + spec[1],
            "data-testid": "answer-" + spec[0],
            "aria-pressed": "false",
          },
          [el("i", { className: "bi bi-" + spec[2] }), " ", t("result_" + spec[0])]
        );
        button.addEventListener("click", function () {
          var answer = answerOf(round(), checkpoint, item);
          // Tapping the chosen result again clears it.
          var result = answer && answer.result === spec[0] ? "" : spec[0];
          setAnswer(checkpoint, item, { result: result });
        });
        group.appendChild(button);
        return { result: spec[0], button: button, css: spec[1] };
      });
      return { node: group, buttons: buttons };
    }

    function limitsText(item) {
      var plain = function (value) { return String(Number(value)); };
      if (item.min !== null && item.max !== null) {
        return t("range", { min: plain(item.min), max: plain(item.max) });
      }
      if (item.min !== null) return t("atLeast", { min: plain(item.min) });
      if (item.max !== null) return t("atMost", { max: plain(item.max) });
      return "";
    }

    function buildItem(checkpoint, item) {
      var body = [
        el("div", { className: "hq-round-item-text" }, [
          item.text,
          item.required ? el("span", { className: "text-danger", text: " *" }) : null,
        ]),
      ];
      if (item.guidance) {
        body.push(el("div", { className: "small text-muted", text: item.guidance }));
      }
      var results = null;
      var numberInput = null;
      var numberHelp = null;
      var textInput = null;
      var problem = el("div", {
        className: "small text-danger fw-semibold mt-1",
        "data-testid": "answer-problem",
      });

      if (item.answer_type === "pass_fail") {
        results = resultButtons(checkpoint, item);
        body.push(results.node);
      } else if (item.answer_type === "number") {
        numberInput = el("input", {
          type: "text",
          inputMode: "decimal",
          autocomplete: "off",
          className: "form-control form-control-lg",
          "data-testid": "answer-number",
          "aria-label": item.text,
        });
        numberHelp = el("div", {
          className: "form-text",
          "data-testid": "answer-limits",
          text: limitsText(item),
        });
        numberInput.addEventListener("input", function () {
          var number = parseNumber(numberInput.value);
          if (number !== null && isNaN(number)) {
            markNumber();
            return;
          }
          setAnswer(checkpoint, item, { number: number === null ? null : String(number) });
        });
        body.push(
          el("div", { className: "input-group mt-2" }, [
            numberInput,
            item.unit ? el("span", { className: "input-group-text", text: item.unit }) : null,
          ]),
          numberHelp
        );
      } else if (item.answer_type === "text") {
        textInput = el("textarea", {
          className: "form-control mt-2",
          rows: 2,
          maxLength: 500,
          "data-testid": "answer-text",
          "aria-label": item.text,
        });
        textInput.addEventListener("input", function () {
          setAnswer(checkpoint, item, { text: textInput.value });
        });
        body.push(textInput);
      }

      // Why it failed: it becomes the hazard's title.
      var noteInput = el("input", {
        type: "text",
        maxLength: 500,
        className: "form-control",
        placeholder: t("notePlaceholder"),
        "data-testid": "answer-note",
        "aria-label": t("noteLabel"),
      });
      noteInput.addEventListener("input", function () {
        setAnswer(checkpoint, item, { note: noteInput.value });
      });
      var noteBox = el("div", { className: "mt-2" }, [
        el("div", { className: "form-label small mb-1", text: t("noteLabel") }),
        noteInput,
      ]);
      body.push(noteBox);

      var photoInput = el("input", {
        type: "file",
        accept: "image/*",
        className: "visually-hidden",
        "data-testid": "answer-photo",
      });
      photoInput.setAttribute("capture", "environment");
      photoInput.addEventListener("change", function () {
        var files = Array.prototype.slice.call(photoInput.files || []);
        photoInput.value = "";
        files.reduce(function (chain, file) {
          return chain.then(function () { return addPhoto(checkpoint, item, file); });
        }, Promise.resolve());
      });
      var photoButton = el("label", { className: "btn btn-outline-secondary mb-0" }, [
        el("i", { className: "bi bi-camera" }),
        " ",
        t("takePhoto"),
        photoInput,
      ]);
      var photoWarning = el("span", {
        className: "small text-danger",
        "data-testid": "photo-required",
        text: t("photoRequired"),
      });
      var thumbs = el("div", { className: "hq-round-thumbs", "data-testid": "answer-photos" });
      body.push(
        el("div", { className: "d-flex flex-wrap align-items-center gap-2 mt-2" }, [
          photoButton,
          photoWarning,
        ]),
        thumbs,
        problem
      );

      var node = el("div", { className: "hq-round-item", "data-testid": "item" }, body);
      node.setAttribute("data-key", item.key);
      var shownPhotos = null;

      // What is in the box now (maybe not a number yet), against the limits and the count
      // it must equal.
      function markNumber() {
        var typed = parseNumber(numberInput.value);
        var current = round();
        var notNumber = typed !== null && isNaN(typed);
        var wrong =
          notNumber || outOfRange(item, typed) || Boolean(mismatch(current, checkpoint, item));
        numberInput.classList.toggle("is-invalid", wrong);
        numberHelp.classList.toggle("text-danger", outOfRange(item, typed));
        if (notNumber) problem.textContent = t("notANumber");
      }

      function refreshNumber(current, answer) {
        // Never rewrite what is being typed.
        if (document.activeElement !== numberInput) {
          numberInput.value = answer && answer.number !== null ? answer.number : "";
        }
        var gap = mismatch(current, checkpoint, item);
        if (gap) {
          problem.textContent = t("mismatch", {
            other: gap.other.text,
            expected: gap.expected,
            value: gap.value,
          });
        } else if (answer && answer.number !== null && outOfRange(item, Number(answer.number))) {
          problem.textContent = t("outOfRange");
        }
        markNumber();
      }

      function refreshPhotos(current, answer) {
        var photos = photosOf(current, answer);
        var signature = photos
          .map(function (p) { return p.uuid + (p.uploaded ? "+" : "") + (p.failed ? "!" : ""); })
          .join();
        if (signature === shownPhotos) return;
        shownPhotos = signature;
        thumbs.replaceChildren();
        photos.forEach(function (photo) {
          var image = el("img", { alt: "", className: "hq-round-thumb" });
          showPhoto(photo.uuid, image);
          var mark;
          if (photo.failed) {
            mark = el("i", {
              className: "bi bi-exclamation-triangle-fill text-danger",
              title: photo.failed,
            });
          } else {
            mark = el("i", {
              className: photo.uploaded
                ? "bi bi-cloud-check-fill text-success"
                : "bi bi-cloud-arrow-up text-secondary",
              title: t(photo.uploaded ? "photoUploaded" : "photoWaiting"),
            });
          }
          thumbs.appendChild(
            el("span", { className: "hq-round-photo", "data-testid": "answer-photo-thumb" }, [
              image,
              mark,
            ])
          );
        });
      }

      function refresh() {
        var current = round();
        var answer = answerOf(current, checkpoint, item);
        var finished = Boolean(current && current.finished_at);
        var failed = Boolean(answer && answer.result === "fail");
        problem.textContent = "";
        if (results) {
          results.buttons.forEach(function (entry) {
            var chosen = Boolean(answer && answer.result === entry.result);
            entry.button.setAttribute("aria-pressed", chosen ? "true" : "false");
            var css = chosen ? entry.css.replace("-outline", "") : entry.css;
            entry.button.className = "btn " + css;
            entry.button.disabled = finished;
          });
        }
        if (numberInput) {
          refreshNumber(current, answer);
          numberInput.disabled = finished;
        }
        if (textInput) {
          if (document.activeElement !== textInput) textInput.value = answer ? answer.text : "";
          textInput.disabled = finished;
        }
        noteBox.hidden = !failed && !(answer && answer.note);
        if (document.activeElement !== noteInput) noteInput.value = answer ? answer.note : "";
        noteInput.disabled = finished;
        photoInput.disabled = finished;
        photoButton.classList.toggle("disabled", finished);
        photoWarning.hidden = !needsPhoto(current, checkpoint, item);
        photoButton.classList.toggle("btn-danger", !photoWarning.hidden);
        photoButton.classList.toggle("btn-outline-secondary", photoWarning.hidden);
        node.classList.toggle("hq-round-failed", failed);
        refreshPhotos(current, answer);
      }

      return { node: node, refresh: refresh };
    }

    // --- The whole page ------------------------------------------------------------------

    function visitedCount() {
      return checkpoints.filter(function (checkpoint) { return visitOf(checkpoint); }).length;
    }

    function refresh() {
      var current = round();
      if (progress) {
        progress.textContent = t("progress", { done: visitedCount(), total: checkpoints.length });
      }
      cards.forEach(function (card) { card.refresh(); });
      refreshAlarm(current);
      var finished = Boolean(current && current.finished_at);
      actions.hidden = finished || !finishPanel.hidden;
      if (finished) showSummary(current);
    }

    function refreshAlarm(current) {
      var gaps = [];
      checkpoints.forEach(function (checkpoint) {
        checkpoint.items.forEach(function (item) {
          var gap = mismatch(current, checkpoint, item);
          if (gap) gaps.push(gap);
        });
      });
      alarm.hidden = !gaps.length;
      alarm.querySelector("[data-alarm-text]").textContent = gaps
        .map(function (gap) {
          return t("mismatchAlarm", {
            item: gap.item.text,
            value: gap.value,
            other: gap.other.text,
            expected: gap.expected,
          });
        })
        .join(" ");
      var keys = gaps
        .map(function (gap) { return gap.item.id + ":" + gap.value + ":" + gap.expected; })
        .join();
      if (keys && keys !== alarmKeys && navigator.vibrate) navigator.vibrate([300, 150, 300]);
      alarmKeys = keys;
    }

    // What stops 完成: required items left empty, failures still without their photo.
    function blockers(current) {
      var missing = [];
      checkpoints.forEach(function (checkpoint) {
        if (!reached(checkpoint)) return;
        checkpoint.items.forEach(function (item) {
          var where = { place: checkpoint.name, item: item.text };
          if (needsPhoto(current, checkpoint, item)) missing.push(t("blockPhoto", where));
          else if (item.required && !answered(current, checkpoint, item)) {
            missing.push(t("blockRequired", where));
          }
        });
      });
      return missing;
    }

    var finishErrors = root.querySelector("[data-finish-errors]");
    var finishMissed = finishPanel.querySelector("[data-finish-missed]");
    var finishNote = finishPanel.querySelector("[data-finish-note]");

    function showFinishErrors(messages) {
      finishErrors.replaceChildren(
        el("div", { className: "fw-semibold", text: t("cannotFinish") }),
        el(
          "ul",
          { className: "mb-0" },
          messages.map(function (message) { return el("li", { text: message }); })
        )
      );
      finishErrors.hidden = false;
      finishErrors.scrollIntoView({ block: "center" });
    }

    actions.querySelector("[data-finish-start]").addEventListener("click", function () {
      var current = round();
      finishErrors.hidden = true;
      if (!current || (!current.visits.length && !current.answers.length)) {
        showFinishErrors([t("nothingYet")]);
        return;
      }
      var missing = blockers(current);
      if (missing.length) {
        showFinishErrors(missing);
        return;
      }
      // Checkpoints not reached: say which, and that the managers will be told.
      var missed = isRoute ? checkpoints.filter(function (c) { return !visitOf(c); }) : [];
      finishMissed.hidden = !missed.length;
      finishMissed.textContent = missed.length
        ? t("missedConfirm", {
            count: missed.length,
            names: missed.map(function (c) { return c.name; }).join("、"),
          })
        : "";
      finishNote.value = current.note || "";
      finishPanel.hidden = false;
      actions.hidden = true;
      finishPanel.scrollIntoView({ block: "center" });
    });

    finishPanel.querySelector("[data-finish-cancel]").addEventListener("click", function () {
      finishPanel.hidden = true;
      actions.hidden = false;
    });

    finishPanel.querySelector("[data-finish-confirm]").addEventListener("click", function () {
      finishPanel.hidden = true;
      change(function (current) {
        current.note = finishNote.value.trim().slice(0, 500);
        current.finished_at = nowIso();
      });
      flush();
      window.scrollTo(0, 0);
    });

    // After 完成: what was done, and what the server made of it once it has it.
    function showSummary(current) {
      summary.hidden = false;
      list.hidden = true;
      var visited = visitedCount();
      var failures = current.answers.filter(function (a) { return a.result === "fail"; }).length;
      var firstVisit = current.visits[0];
      summary.querySelector("[data-summary-visited]").textContent = isRoute
        ? t("progress", { done: visited, total: checkpoints.length })
        : firstVisit
          ? t("visitedQr", { time: clock(firstVisit.scanned_at) })
          : t("notScanned");
      summary.querySelector("[data-summary-failures]").textContent = String(failures);

      var held = Boolean(
        current.server && current.server.state === "finished" && current.synced_rev >= current.rev
      );
      var waiting = waitingPhotos(current).length;
      var state = summary.querySelector("[data-summary-state]");
      if (refused(current)) state.textContent = t("refused", { reason: current.errors.join("；") });
      else if (!held) state.textContent = t("savedOffline");
      else if (waiting) state.textContent = t("photosWaiting", { count: waiting });
      else state.textContent = t("uploaded");
      var tone = refused(current) ? "danger" : held && !waiting ? "success" : "warning";
      state.className = "alert alert-" + tone;

      var hazards = summary.querySelector("[data-summary-hazards]");
      var found = held ? current.server.hazards : [];
      hazards.replaceChildren.apply(
        hazards,
        found.map(function (hazard) {
          return el("li", {}, [
            el("a", { href: hazard.url, text: hazard.number, "data-testid": "summary-hazard" }),
          ]);
        })
      );
      if (!found.length) {
        var note = !held && failures ? "hazardsLater" : "noHazards";
        hazards.appendChild(el("li", { className: "text-muted", text: t(note) }));
      }
      var link = summary.querySelector("[data-summary-record]");
      link.hidden = !held;
      if (held) link.href = current.server.url;
    }

    // --- Start ---------------------------------------------------------------------------

    checkpoints.forEach(function (checkpoint, index) {
      var card = buildCheckpoint(checkpoint, index);
      cards.push(card);
      list.appendChild(card.node);
    });
    scanner.onRead = function (text, typed) {
      var outcome = arrive(text, typed);
      if (outcome.ok) {
        scanner.close();
        toast(outcome.message);
        cards.forEach(function (card) {
          if (card.checkpoint === outcome.checkpoint) card.node.scrollIntoView({ block: "start" });
        });
      }
      return outcome;
    };
    // The place's own label scanned on the way here (the chooser's scan): that is the visit.
    if (page.scanned_token && !isRoute && !roundId) arrive(page.scanned_token, false);
    keepRound = roundId;
    sync.listeners.push(function () {
      forget();
      refresh();
    });
    refresh();
  }

  // =======================================================================================
  // The scanner: the camera or a photo of the label (HouqinQr, offline.js), or the code
  // typed by hand (the approach of scan.js).

  function scannerPanel(panel, T) {
    var status = panel.querySelector("[data-scan-status]");
    var codeInput = panel.querySelector("[data-scan-code]");
    var codeForm = panel.querySelector("[data-scan-form]");
    var target = panel.querySelector("[data-scan-target]");
    var error = panel.querySelector("[data-scan-error]");
    var api = { onRead: null, open: open, close: close };

    // The round's texts scanStarting, scanNoCamera, …; there is none for a jsQR that did not
    // load, so the fallback's is said then.
    function say(key, fallback) {
      status.textContent = T[scanKey(key)] || (fallback && T[scanKey(fallback)]) || "";
    }

    function scanKey(key) {
      return "scan" + key.charAt(0).toUpperCase() + key.slice(1);
    }

    var camera = window.HouqinQr.panel(panel, {
      say: say,
      onRead: function (text) { read(text, false); },
    });

    function open(checkpoint) {
      panel.hidden = false;
      error.hidden = true;
      codeInput.value = "";
      target.textContent = checkpoint ? checkpoint.name : "";
      panel.scrollIntoView({ block: "start" });
      if (window.HouqinQr.cameraAvailable()) camera.start();
      else say("insecure");
    }

    function close() {
      camera.stop();
      panel.hidden = true;
    }

    // Hand what was read to the page; a wrong label is said, and the scanner stays.
    function read(text, typed) {
      var outcome = api.onRead(text, typed);
      if (!outcome.ok) {
        error.textContent = outcome.message;
        error.hidden = false;
      }
      return outcome.ok;
    }

    // The decoder must be here before the signal goes.
    window.HouqinQr.preload(panel.dataset.jsqrSrc);
    codeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (codeInput.value.trim()) read(codeInput.value, true);
    });
    panel.querySelector("[data-scan-close]").addEventListener("click", close);
    return api;
  }
})();
