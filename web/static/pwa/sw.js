// Sandogh's service worker: the app's own files from the cache, the capture page and its
// state from the network when there is one and from the cache when there is none.
// Nothing comes from another site. Meetings recorded offline are not kept here: the page
// keeps them in IndexedDB and sends them itself (static/capture.js).
"use strict";
var CACHE = "sandogh-v1";
var SHELL = ["/static/sandogh.css", "/static/capture.css", "/static/capture.js",
  "/static/pwa/icon.svg", "/manifest.webmanifest"];
var KEPT = [/^\/funds\/\d+\/capture$/, /^\/api\/v1\/funds\/\d+\/capture$/, /^\/$/];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromCacheFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(request, copy); }); }
      return response;
    });
  });
}

function fromNetworkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (c) { c.put(request.url.split("?")[0], copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request.url.split("?")[0]).then(function (hit) {
      return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/fonts/") === 0) {
    event.respondWith(fromCacheFirst(request));
  } else if (KEPT.some(function (pattern) { return pattern.test(url.pathname); })) {
    event.respondWith(fromNetworkFirst(request));
  }
});
