// The volunteer pages' service worker, served at /sw.js so it may answer for /submit/ and /survey/. It keeps a copy
// of the report form, of the "survey near me" page, and of what they load (styles, scripts, the map library and its
// images, the translations, the list of venue types), so both open with no signal; the reports made then wait in the
// outbox (outbox.js) until they can be sent, and the survey page shows the list it saved on the phone (survey.js).
// Always the network first: with signal the volunteer gets the current page, and the copy is renewed.
// Nothing else is touched: no other page, no answer about a place or a report, no private receipt is ever stored.
"use strict";

var CACHE = "signwatch-form-v2";
var PAGES = ["/submit/", "/survey/"];
var KEPT_PATHS = ["/jsi18n/", "/api/venue-types/"];

function kept(url) {
  if (url.origin !== self.location.origin) return false;
  return PAGES.indexOf(url.pathname) >= 0 || url.pathname.indexOf("/static/") === 0 ||
    KEPT_PATHS.indexOf(url.pathname) >= 0;
}

function cacheKey(url) {
  return PAGES.indexOf(url.pathname) >= 0 ? url.pathname : url.pathname + url.search;
}

self.addEventListener("install", function (event) {
  // The pages and what their scripts ask for; the files they load arrive by the message below.
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(PAGES.concat(KEPT_PATHS));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

// A page tells the worker what it loaded before the worker was in charge (the first visit), to keep those too.
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
