// "Survey near me": the sampled venues that need a visit, nearest first, from /api/missions/nearby/. The last list
// is kept on the phone (localStorage), so with no signal the page (kept by the service worker, /sw.js) still shows
// it, with when it was saved. The list holds only public venues from OpenStreetMap, never the phone's position.
"use strict";

(function () {
  var KEY = "signwatch-survey-list";
  var list = document.getElementById("survey-list");
  var status = document.getElementById("survey-status");
  var saved = document.getElementById("survey-saved");
  var forgetLine = document.getElementById("survey-forget-line");
  var template = document.getElementById("survey-item");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function distanceText(metres) {
    if (metres < 1000) return interpolate(gettext("%s m away"), [Math.round(metres)]);
    return interpolate(gettext("%s km away"), [(metres / 1000).toFixed(1)]);
  }

  function render(missions) {
    list.textContent = "";
    missions.forEach(function (mission) {
      var item = template.content.firstElementChild.cloneNode(true);
      item.setAttribute("data-venue-id", mission.venue_id);
      item.querySelector(".name").textContent = mission.name || mission.venue_type_name;
      item.querySelector(".venue-type").textContent = mission.name ? "(" + mission.venue_type_name + ")" : "";
      item.querySelector(".distance").textContent = distanceText(mission.distance_m);
      item.querySelector(".reason").textContent = mission.reason === "owner_reports_posted"
        ? interpolate(gettext("the owner reports the sign posted on %s: please confirm it"), [mission.owner_reports_posted_on])
        : mission.reason === "revisit"
          ? interpolate(gettext("last report %s: time for another look"), [mission.last_observed_on])
          : gettext("never visited");
      item.querySelector(".directions").href = mission.directions_url;
      item.querySelector("form").addEventListener("submit", function (event) {
        event.preventDefault();
        recordCouldNotSurvey(mission, item, event.target.reason.value);
      });
      list.appendChild(item);
    });
    if (!missions.length) {
      var empty = document.createElement("li");
      empty.textContent = gettext("No sampled place needs a visit near here.");
      list.appendChild(empty);
    }
  }

  function recordCouldNotSurvey(mission, item, reason) {
    fetch("/api/missions/could-not-survey/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ venue_id: mission.venue_id, reason: reason })
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      item.remove();
      var kept = load();
      if (kept) {
        kept.missions = kept.missions.filter(function (m) { return m.venue_id !== mission.venue_id; });
        store(kept.missions);
      }
      status.textContent = gettext("Recorded. Thank you: places that cannot be surveyed count too.");
    }).catch(function () {
      status.textContent = gettext("Could not record it now (no signal?). Try again later.");
    });
  }

  function store(missions) {
    try {
      localStorage.setItem(KEY, JSON.stringify({ savedAt: new Date().toISOString(), missions: missions }));
    } catch (error) { /* storage full or refused: the list still shows */ }
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (error) { return null; }
  }

  function showSaved() {
    var kept = load();
    if (!kept) return false;
    render(kept.missions);
    saved.hidden = false;
    saved.textContent = interpolate(gettext("Saved list from %s (distances as they were then)."),
      [new Date(kept.savedAt).toLocaleString()]);
    forgetLine.hidden = false;
    return true;
  }

  function fetchNear(position) {
    var query = "lat=" + position.coords.latitude.toFixed(5) + "&lon=" + position.coords.longitude.toFixed(5);
    status.textContent = gettext("Looking for places near you…");
    return fetch("/api/missions/nearby/?" + query, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) {
      store(answer.missions);
      render(answer.missions);
      saved.hidden = true;
      forgetLine.hidden = false;
      status.textContent = interpolate(ngettext("%s place needs a visit near you.", "%s places need a visit near you.",
        answer.missions.length), [answer.missions.length]);
      document.documentElement.setAttribute("data-survey-loaded", "");
    }).catch(function () {
      status.textContent = gettext("No signal: showing the list saved on this phone.");
      if (!showSaved()) status.textContent = gettext("No signal, and no list saved on this phone yet.");
    });
  }

  function locate() {
    if (!navigator.onLine) {
      status.textContent = gettext("No signal: showing the list saved on this phone.");
      if (!showSaved()) status.textContent = gettext("No signal, and no list saved on this phone yet.");
      return;
    }
    if (!("geolocation" in navigator)) {
      status.textContent = gettext("This browser cannot tell where you are.");
      showSaved();
      return;
    }
    navigator.geolocation.getCurrentPosition(fetchNear, function () {
      status.textContent = gettext("We need your location to find places near you. Showing the saved list, if any.");
      showSaved();
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
  }

  document.getElementById("survey-refresh").addEventListener("click", locate);
  document.getElementById("survey-forget").addEventListener("click", function () {
    localStorage.removeItem(KEY);
    list.textContent = "";
    saved.hidden = true;
    forgetLine.hidden = true;
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && "kept" in event.data) document.documentElement.setAttribute("data-offline-ready", "");
    });
    navigator.serviceWorker.register("/sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var loaded = performance.getEntriesByType("resource").map(function (entry) { return entry.name; });
      registration.active.postMessage({ keep: loaded.concat([location.href]) });
    }).catch(function () { /* no worker: the page still works with signal */ });
  }

  locate();
})();
