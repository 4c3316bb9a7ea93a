// Academy's service worker. It only serves: the page (offline.js) decides what a course's
// offline copy holds and writes it to a cache named "academy-course:<slug>:<token>", with a
// meta entry that maps each lesson's address to its offline copy. Pages online come from the
// network (they show the learner's own progress); without a network, from that copy.
"use strict";
var PREFIX = "academy-course:";
var META = "academy-offline-meta";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function courseCaches() {
  return caches.keys().then(function (names) {
    return names.filter(function (n) { return n.indexOf(PREFIX) === 0; });
  });
}

function fromCopies(request) {
  return courseCaches().then(function (names) {
    var tryNext = function (i) {
      if (i >= names.length) { return undefined; }
      return caches.open(names[i]).then(function (cache) {
        return cache.match(request).then(function (hit) { return hit || tryNext(i + 1); });
      });
    };
    return tryNext(0);
  });
}

function offlinePage(url) {
  return courseCaches().then(function (names) {
    var tryNext = function (i) {
      if (i >= names.length) { return Response.error(); }
      return caches.open(names[i]).then(function (cache) {
        return cache.match(new URL(META, self.registration.scope).href).then(function (meta) {
          return meta ? meta.json() : {};
        }).then(function (meta) {
          var copy = meta.pages && meta.pages[url.pathname];
          if (!copy) { return cache.match(url.href).then(function (hit) { return hit || tryNext(i + 1); }); }
          return cache.match(new URL(copy, url).href).then(function (hit) { return hit || tryNext(i + 1); });
        });
      });
    };
    return tryNext(0);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // Known to be offline: no request at all, straight to the copy.
    if (self.navigator.onLine === false) { event.respondWith(offlinePage(url)); return; }
    event.respondWith(fetch(request).catch(function () { return offlinePage(url); }));
    return;
  }
  // offline.js fills a new copy with cache: "reload": those go to the network.
  if (request.cache === "reload" || request.cache === "no-store") { return; }
  // Figures, CSS and JS of a kept course: from the copy (their addresses carry a version).
  event.respondWith(fromCopies(request).then(function (hit) { return hit || fetch(request); }));
});
