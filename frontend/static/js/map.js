// The public map: jurisdictions coloured by compliance (or by the absence of a mandate), venues and clusters from
// /api/map/, a side panel per jurisdiction, and a sortable table of the same figures. No base tiles unless the
// operator configures a tile URL, so it works offline; server data arrives through the json_script "map-config".
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var gettext = window.gettext || function (text) { return text; };
  var $ = function (id) { return document.getElementById(id); };
  var VIEWS = {
    lower48: [[24.4, -125.0], [49.5, -66.9]],
    caribbean: [[17.6, -67.4], [18.6, -64.5]],
    pacific: [[13.2, 144.5], [20.6, 146.2]],
    // Alaska's Aleutians cross the antimeridian, so its shape's bounds would span the globe.
    AK: [[51.2, -179.5], [71.5, -129.9]],
  };

  var street = SignWatch.streetLayer(config);
  var map = L.map("map", { zoomSnap: 0.25, minZoom: 2, maxZoom: 18, attributionControl: !!street });
  if (street) street.addTo(map);
  map.fitBounds(VIEWS.lower48);
  window.SignWatch.mainMap = map; // for the browser tests and for anyone poking at the page from the console

  function percent(value) { return value === null || value === undefined ? "—" : Math.round(value * 100) + "%"; }

  function fillClass(entry) {
    if (!entry || entry.verdict === "no_mandate") return "fill-no-mandate";
    if (entry.verdict === "insufficient_data") return "fill-insufficient";
    return "fill-c" + Math.min(4, Math.floor(entry.overall.rate * 5));
  }

  function headline(entry) {
    if (!entry) return gettext("No data");
    if (entry.verdict === "no_mandate") {
      return gettext("No mandatory law") + (entry.voluntary && entry.voluntary.n ? "; " + gettext("posted voluntarily at") + " " +
        percent(entry.voluntary.rate) + " (n = " + entry.voluntary.n + ")" : "");
    }
    if (entry.verdict === "insufficient_data") return gettext("Insufficient data") + " (n = " + entry.overall.n + ")";
    return percent(entry.overall.rate) + " " + gettext("posted") + " (95% " + percent(entry.overall.low) + "–" +
      percent(entry.overall.high) + ", n = " + entry.overall.n + ")";
  }

  // SVG patterns for the two states a colour must not pretend about: too little data, and no mandate at all.
  function addPatterns() {
    var svg = map.getPanes().overlayPane.querySelector("svg");
    if (!svg || svg.querySelector("#pattern-insufficient")) return;
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    [["pattern-insufficient", "#9a9a9a", "M0,8 L8,0"], ["pattern-no-mandate", "#b8b0a0", "M4,4 m-1.3,0 a1.3,1.3 0 1,0 2.6,0 a1.3,1.3 0 1,0 -2.6,0"]]
      .forEach(function (spec) {
        var pattern = document.createElementNS(ns, "pattern");
        pattern.setAttribute("id", spec[0]);
        pattern.setAttribute("width", "8");
        pattern.setAttribute("height", "8");
        pattern.setAttribute("patternUnits", "userSpaceOnUse");
        var background = document.createElementNS(ns, "rect");
        background.setAttribute("width", "8");
        background.setAttribute("height", "8");
        background.setAttribute("fill", "#f2f0eb");
        var mark = document.createElementNS(ns, "path");
        mark.setAttribute("d", spec[2]);
        mark.setAttribute("stroke", spec[1]);
        mark.setAttribute("fill", spec[1]);
        mark.setAttribute("stroke-width", "1.5");
        pattern.appendChild(background);
        pattern.appendChild(mark);
        defs.appendChild(pattern);
      });
    svg.insertBefore(defs, svg.firstChild);
  }

  // ---------- side panel ----------
  function cell(row, value, tag) {
    var element = document.createElement(tag || "td");
    element.textContent = value;
    row.appendChild(element);
    return element;
  }

  function openPanel(code) {
    var entry = config.jurisdictions[code];
    if (!entry) return;
    $("state-panel").hidden = false;
    $("panel-title").textContent = entry.name;
    $("panel-law").textContent = (config.statusLabels[entry.law_status] || entry.law_status) +
      (entry.citation ? " · " + entry.citation : "") + (!entry.law_verified && entry.law_status !== "unknown" ? " · " + gettext("unverified") : "");
    $("panel-figure").textContent = headline(entry);
    var body = $("panel-table").querySelector("tbody");
    body.textContent = "";
    entry.by_venue_type.forEach(function (item) {
      var row = document.createElement("tr");
      var name = cell(row, config.venueTypeNames[item.venue_type] || item.venue_type, "th");
      name.scope = "row";
      if (!item.counted) name.appendChild(document.createTextNode(" (" + gettext("conditional") + ")"));
      var figures = item.figures;
      if (!figures.n) { cell(row, gettext("no reports yet")).colSpan = 3; }
      else {
        cell(row, figures.sufficient ? percent(figures.rate) : gettext("insufficient data"));
        cell(row, percent(figures.low) + "–" + percent(figures.high));
        cell(row, String(figures.n));
      }
      body.appendChild(row);
    });
    $("panel-table").hidden = entry.by_venue_type.length === 0;
    $("panel-link").href = "/j/" + encodeURIComponent(code) + "/";
    var campaign = (config.campaigns || {})[code];
    $("panel-campaign").hidden = !campaign;
    if (campaign) {
      var link = $("panel-campaign").querySelector("a");
      link.href = campaign.url;
      link.textContent = gettext("Tell the Attorney General") + " · " +
        interpolate(ngettext("%s supporter", "%s supporters", campaign.supporters), [campaign.supporters]);
    }
  }
  $("panel-close").addEventListener("click", function () { $("state-panel").hidden = true; });

  // ---------- choropleth ----------
  var shapes = {};
  fetch(config.boundariesUrl)
    .then(function (response) {
      if (!response.ok) throw new Error("boundaries " + response.status);
      return response.json();
    })
    .then(function (collection) {
      L.geoJSON(collection, {
        style: function (feature) {
          var entry = config.jurisdictions[feature.properties.code];
          var unverified = entry && !entry.law_verified && entry.law_status !== "unknown";
          return { className: "jurisdiction-shape " + fillClass(entry), weight: 1, color: "#333", dashArray: unverified ? "4 3" : null, fillOpacity: 0.9 };
        },
        onEachFeature: function (feature, layer) {
          var code = feature.properties.code;
          var entry = config.jurisdictions[code];
          shapes[code] = layer;
          layer.bindTooltip((entry ? entry.name : code) + ": " + headline(entry), { sticky: true });
          layer.on("click", function () { openPanel(code); });
          layer.on("add", function () {
            var element = layer.getElement();
            if (element) element.setAttribute("data-code", code);
          });
        },
      }).addTo(map).bringToBack();
      addPatterns();
      $("map").setAttribute("data-ready", "true");
    })
    .catch(function (error) {
      var notice = document.createElement("p");
      notice.className = "map-error";
      notice.textContent = gettext("The map could not load its boundaries. The table below has the same figures.") + " (" + error.message + ")";
      $("map").appendChild(notice);
    });

  // ---------- venues and clusters ----------
  // Below this zoom the choropleth tells the story; venue clusters would hide the states under them.
  var VENUES_FROM_ZOOM = 5;
  var venues = L.layerGroup().addTo(map);
  var pending = null;
  function loadVenues() {
    $("zoom-hint").hidden = map.getZoom() >= VENUES_FROM_ZOOM;
    if (map.getZoom() < VENUES_FROM_ZOOM) {
      if (pending) pending.abort();
      venues.clearLayers();
      $("map").setAttribute("data-features", "none:0");
      return;
    }
    var bounds = map.getBounds();
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map(function (value, index) {
      var limit = index % 2 === 0 ? 180 : 90;
      return Math.max(-limit, Math.min(limit, value)).toFixed(5);
    }).join(",");
    var query = "bbox=" + bbox + "&zoom=" + Math.floor(map.getZoom());
    var venueType = $("filter-venue-type").value;
    if (venueType) query += "&venue_type=" + encodeURIComponent(venueType);
    var statuses = Array.prototype.map.call(document.querySelectorAll("input[name=status]:checked"), function (box) { return box.value; });
    if (!statuses.length) { venues.clearLayers(); return; }
    query += "&status=" + statuses.join(",");
    if (pending) pending.abort();
    pending = new AbortController();
    fetch("/api/map/?" + query, { signal: pending.signal })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        venues.clearLayers();
        SignWatch.drawFeatures(venues, collection, function (at) { map.setView(at, Math.floor(map.getZoom()) + 2); });
        $("map").setAttribute("data-features", collection.mode + ":" + collection.features.length);
      })
      .catch(function (error) { if (error.name !== "AbortError") venues.clearLayers(); });
  }
  map.on("moveend", loadVenues);
  $("map-filters").addEventListener("change", function (event) {
    if (event.target.id === "map-jump") {
      var value = event.target.value;
      if (VIEWS[value]) map.fitBounds(VIEWS[value]);
      else if (shapes[value]) map.fitBounds(shapes[value].getBounds());
      return;
    }
    loadVenues();
  });
  loadVenues();

  // ---------- sortable table ----------
  var table = $("compliance-table");
  table.querySelectorAll("thead button").forEach(function (button) {
    button.addEventListener("click", function () {
      var column = Number(button.dataset.sortColumn);
      var header = button.parentElement;
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (th) { th.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
        var order = button.dataset.sortType === "number" ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
    });
  });
  table.tBodies[0].addEventListener("click", function (event) {
    var row = event.target.closest("tr");
    if (row && event.target.tagName !== "A") openPanel(row.dataset.code);
  });
})();
