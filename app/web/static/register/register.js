/* The register keeps every mark until the server has it: a submit becomes ready events (their ids made
   here, so a retry is a duplicate, never a double) in an IndexedDB outbox, sent now or when the connection
   comes back, and removed only once the server acknowledged each one. Without this script the page is a
   plain form. */
(function () {
  "use strict";
  var form = document.getElementById("register");
  if (!form || !window.indexedDB || !window.fetch) return;
  var panel = document.getElementById("outbox");
  var refusedPanel = document.getElementById("outbox-refused");
  var STORE = "outbox";
  var ACKNOWLEDGED = ["accepted", "duplicate"];
  var REFUSED = [403, 409, 413, 422];  // the server read the marks and will never take them as they are
  var sending = false;
  var sentNow = 0;
  var signedOut = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.dataset.worker, {scope: form.dataset.scope}).catch(function () {});
    // A page shown before the worker took over did not pass through it: the worker keeps this page's own
    // markup, as it came (nothing here has changed it yet), rather than asking the server for it again.
    if (!navigator.serviceWorker.controller) {
      var shown = "<!doctype html>\n" + document.documentElement.outerHTML;
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) registration.active.postMessage({keep: location.href, page: shown});
      });
    }
  }

  var database = new Promise(function (resolve, reject) {
    var request = indexedDB.open("stablework-register", 1);
    request.onupgradeneeded = function () { request.result.createObjectStore(STORE, {keyPath: "id"}); };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });

  function stored(mode, work) {
    return database.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(request.result); };
        transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }
  function batches() { return stored("readonly", function (store) { return store.getAll(); }); }
  function keep(batch) { return stored("readwrite", function (store) { return store.put(batch); }); }
  function drop(id) { return stored("readwrite", function (store) { return store.delete(id); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function cloudEvent(type, time, data) {
    return {specversion: "1.0", id: uuid(), type: type, source: "stablework/register", time: time,
            datacontenttype: "application/json", data: data};
  }

  function marksOf() {
    var time = new Date().toISOString();
    var site = form.dataset.site, day = form.dataset.date, events = [];
    form.querySelectorAll('input[name^="attendance_id."]').forEach(function (input) {
      var worker = input.name.slice("attendance_id.".length);
      var value = function (name) {
        var field = form.elements.namedItem(name + "." + worker);
        return field ? String(field.value).trim() : "";
      };
      var status = value("status");
      if (status) {
        var attendance = {worker_id: worker, site_id: site, date: day, status: status};
        if (value("check_in") || value("check_out")) {
          attendance.check_in = value("check_in") || null;
          attendance.check_out = value("check_out") || null;
        }
        events.push(cloudEvent("attendance.recorded", time, attendance));
      }
      for (var row = 0; form.elements.namedItem("quantity." + row + "." + worker); row++) {
        var quantity = value("quantity." + row);
        if (!quantity) continue;
        events.push(cloudEvent("output.recorded", time, {
          worker_id: worker, site_id: site, date: day, product: value("product." + row),
          grade: value("grade." + row) || "A", quantity: /^\d+$/.test(quantity) ? Number(quantity) : quantity}));
      }
    });
    return events;
  }

  function acknowledged(batch, answer) {
    var seen = {};
    (answer.results || []).forEach(function (result) { seen[result.id] = result.status; });
    return batch.events.every(function (event) { return ACKNOWLEDGED.indexOf(seen[event.id]) >= 0; });
  }

  function send(batch) {
    return fetch(form.action, {
      method: "POST", credentials: "same-origin", body: JSON.stringify({events: batch.events}),
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": form.elements.namedItem("csrf_token").value}
    }).then(function (response) {
      var json = /json/.test(response.headers.get("Content-Type") || "");
      return (json ? response.json() : Promise.resolve(null)).then(function (answer) {
        return {status: response.status, answer: answer, signedOut: response.redirected};
      });
    });
  }

  // A page kept for days carries an expired form token: a fresh copy of the page has a valid one.
  async function renewToken() {
    var response = await fetch(location.href, {credentials: "same-origin"});
    signedOut = response.redirected;  // to the sign-in page: the session is over
    var found = response.ok && !signedOut && /name="csrf_token" value="([^"]+)"/.exec(await response.text());
    if (found) form.elements.namedItem("csrf_token").value = found[1];
    return Boolean(found);
  }

  async function flush() {
    if (sending) return;
    sending = true;
    signedOut = false;
    try {
      for (var batch of await batches()) {
        if (batch.refused) continue;
        var reply;
        try {
          reply = await send(batch);
          if (reply.status === 400 && !reply.answer && await renewToken()) reply = await send(batch);
        } catch (offline) { break; }
        if (reply.status === 202 && reply.answer && acknowledged(batch, reply.answer)) {
          await drop(batch.id);
          sentNow += batch.events.length;
        } else if (reply.answer && REFUSED.indexOf(reply.status) >= 0) {
          batch.refused = reply.answer.title || String(reply.status);
          await keep(batch);
        } else {
          signedOut = signedOut || reply.signedOut;
          break;  // signed out, an expired form, a server error: kept and tried again later
        }
      }
    } finally {
      sending = false;
      await show();
    }
  }

  function say(text, sent) {
    panel.textContent = text;
    panel.classList.toggle("sent", Boolean(sent));
    panel.hidden = !text;
  }

  async function show() {
    var all = await batches();
    var waiting = 0, refused = [];
    all.forEach(function (batch) { if (batch.refused) refused.push(batch); else waiting += batch.events.length; });
    if (waiting) {
      var text = panel.dataset.waiting.replace("{n}", waiting);
      var why = !navigator.onLine ? panel.dataset.offline : signedOut ? panel.dataset.signin : "";
      say(why ? text + " · " + why : text);
    } else {
      say(sentNow ? panel.dataset.sent.replace("{n}", sentNow) : "", true);
    }
    showRefused(refused);
  }

  function showRefused(refused) {
    refusedPanel.textContent = "";
    refusedPanel.hidden = !refused.length;
    if (!refused.length) return;
    var count = refused.reduce(function (sum, batch) { return sum + batch.events.length; }, 0);
    var head = document.createElement("p");
    head.textContent = refusedPanel.dataset.refused.replace("{n}", count);
    refusedPanel.appendChild(head);
    refused.forEach(function (batch) {
      var line = document.createElement("p");
      line.textContent = batch.refused;
      refusedPanel.appendChild(line);
    });
    var discard = document.createElement("button");
    discard.type = "button";
    discard.textContent = refusedPanel.dataset.discard;
    discard.addEventListener("click", async function () {
      for (var batch of refused) await drop(batch.id);
      await show();
    });
    refusedPanel.appendChild(discard);
  }

  form.addEventListener("submit", async function (event) {
    if (event.submitter && event.submitter.hasAttribute("formaction")) return;  // a void: htmx or the plain form
    event.preventDefault();
    var events = marksOf();
    if (!events.length) {
      say(panel.dataset.empty);
      return;
    }
    await keep({id: uuid(), events: events, refused: null});
    form.reset();
    sentNow = 0;
    await show();
    if (navigator.onLine) await flush();
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", show);
  show().then(function () { if (navigator.onLine) flush(); });
})();
