/* The register without a connection: its pages come from the network when there is one (and are kept),
   from what was kept when there is none; its files are kept on install and refreshed in the background.
   Marks made offline wait in the page's outbox (register.js), not here. */
"use strict";
var CACHE = "stablework-register-2";
// The pages' Content-Security-Policy (app/web/pages.py; a test keeps them equal), for a page kept from its markup.
var POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
var FILES = ["/assets/app.css", "/assets/vendor/htmx.min.js", "/assets/register/register.js",
             "/assets/register/register.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("stablework-register-") === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// A page shown before this worker took over sends its own markup to be kept (register.js).
self.addEventListener("message", function (event) {
  var url = event.data && event.data.keep && new URL(event.data.keep, self.location.href);
  if (!url || url.origin !== self.location.origin || url.pathname.indexOf(self.registration.scope.replace(self.location.origin, "")) !== 0) return;
  if (typeof event.data.page !== "string") return;
  var kept = new Response(event.data.page, {headers: {"Content-Type": "text/html; charset=utf-8",
                                                      "Content-Security-Policy": POLICY}});
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(url.href, kept); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (FILES.indexOf(url.pathname) >= 0) {
    event.respondWith(file(request, event));
  }
});

function page(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
    } else if (response.redirected) {
      forgetPages();  // signed out: the people of a register are not kept for the next person to see
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (kept) {
      return kept || caches.match(request, {ignoreSearch: true});
    }).then(function (kept) { return kept || Response.error(); });
  });
}

function file(request, event) {
  var fresh = fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  });
  event.waitUntil(fresh.catch(function () {}));
  return caches.match(request).then(function (kept) { return kept || fresh; });
}

function forgetPages() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) { return FILES.indexOf(new URL(request.url).pathname) < 0; })
        .map(function (request) { return cache.delete(request); }));
    });
  });
}
