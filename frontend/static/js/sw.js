// The report form's service worker, served at /sw.js so it may answer for /submit/. It keeps a copy of the form
// and of what the form loads (styles, scripts, the map library and its images, the translations, the list of
// venue types), so the form opens with no signal; the reports made then wait in the outbox (outbox.js) until they
// can be sent. Always the network first: with signal the volunteer gets the current form, and the copy is renewed.
// Nothing else is touched: no other page, no answer about a place or a report, no private receipt is ever stored.
"use strict";

var CACHE = "signwatch-form-v1";
var FORM = "/submit/";
var KEPT_PATHS = ["/jsi18n/", "/api/venue-types/"];

function kept(url) {
  if (url.origin !== self.location.origin) return false;
  return url.pathname === FORM || url.pathname.indexOf("/static/") === 0 || KEPT_PATHS.indexOf(url.pathname) >= 0;
}

function cacheKey(url) {
  return url.pathname === FORM ? FORM : url.pathname + url.search;
}

self.addEventListener("install", function (event) {
  // The form and what its script asks for; the files it loads arrive by the message below.
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll([FORM].concat(KEPT_PATHS));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

// The form tells the worker what it loaded before the worker was in charge (the first visit), to keep those too.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  var wanted = urls.map(function (href) { return new URL(href, self.location.origin); }).filter(kept);
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(wanted.map(function (url) {
      return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        if (response.ok) return cache.put(cacheKey(url), response);
      }).catch(function () { /* no signal now: kept next time */ });
    }));
  }).then(function () {
    if (event.source) event.source.postMessage({ kept: wanted.length });
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (!kept(url)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(cacheKey(url), copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(cacheKey(url)).then(function (cached) { return cached || Response.error(); });
  }));
});
