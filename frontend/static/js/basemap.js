// Shared by the pages with a map: a Leaflet map that needs no internet. With no tile URL configured it draws the
// state outlines from the simplified Census file as its base; with one, it adds those tiles.
window.SignWatch = window.SignWatch || {};
window.SignWatch.baseMap = function (elementId, config, options) {
  "use strict";
  var map = L.map(elementId, Object.assign({ attributionControl: !!config.tileUrl }, options || {}));
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  } else if (config.boundariesUrl) {
    fetch(config.boundariesUrl)
      .then(function (response) { return response.json(); })
      .then(function (shapes) {
        L.geoJSON(shapes, {
          interactive: false,
          style: { weight: 1, color: "#666", fillColor: "#f4f1ea", fillOpacity: 1 },
        }).addTo(map).bringToBack();
      })
      .catch(function () { /* points and pins still work without the outline */ });
  }
  return map;
};

// Sign status colours (Okabe-Ito: distinguishable with the common colour-vision deficiencies).
window.SignWatch.STATUS_COLOURS = { posted: "#0072b2", deficient: "#e69f00", missing: "#d55e00" };

// Draw /api/map/ features on a layer: clusters as counts with a ring showing the share of each status, venues as
// dots coloured by status with a popup. Every text goes in through textContent: names are data, not HTML.
window.SignWatch.drawFeatures = function (layer, collection, onClusterClick) {
  "use strict";
  var colours = window.SignWatch.STATUS_COLOURS;
  var gettext = window.gettext || function (text) { return text; };

  function text(tag, value, className) {
    var element = document.createElement(tag);
    element.textContent = value;
    if (className) element.className = className;
    return element;
  }

  function venuePopup(properties) {
    var box = document.createElement("div");
    box.className = "venue-popup";
    box.appendChild(text("strong", properties.name || properties.venue_type_name));
    if (properties.demo) box.appendChild(text("span", gettext("demo"), "badge badge-demo"));
    box.appendChild(text("div", properties.venue_type_name));
    var status = text("div", properties.status + " · " + properties.observed_on, "status-line");
    box.appendChild(status);
    if (properties.disputed) box.appendChild(text("span", gettext("disputed: recent reports disagree"), "badge badge-disputed"));
    if (properties.thumbnail) {
      var image = document.createElement("img");
      image.src = properties.thumbnail;
      image.alt = gettext("Photo of the sign or wall");
      image.width = 160;
      box.appendChild(image);
    }
    var link = text("a", gettext("Venue history"));
    link.href = properties.url;
    box.appendChild(link);
    return box;
  }

  collection.features.forEach(function (feature) {
    var properties = feature.properties;
    var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    if (properties.kind === "cluster") {
      var total = properties.venues;
      var postedEnd = (100 * properties.posted) / total;
      var deficientEnd = postedEnd + (100 * properties.deficient) / total;
      var size = Math.round(26 + 8 * Math.log10(Math.max(total, 1)));
      var element = document.createElement("div");
      element.className = "cluster-ring";
      element.style.background = "conic-gradient(" + colours.posted + " 0 " + postedEnd + "%, " + colours.deficient + " " +
        postedEnd + "% " + deficientEnd + "%, " + colours.missing + " " + deficientEnd + "% 100%)";
      element.appendChild(text("span", total >= 1000 ? Math.round(total / 100) / 10 + "k" : String(total)));
      var marker = L.marker(at, {
        icon: L.divIcon({ className: "cluster-icon", html: element, iconSize: [size, size] }),
        title: total + " " + gettext("venues") + ": " + properties.posted + " " + gettext("posted") + ", " + properties.deficient +
          " " + gettext("deficient") + ", " + properties.missing + " " + gettext("missing"),
        keyboard: true,
      });
      marker.on("click", function () { if (onClusterClick) onClusterClick(at); else layer._map.setView(at, layer._map.getZoom() + 2); });
      marker.addTo(layer);
    } else {
      L.circleMarker(at, {
        radius: 8,
        color: "#1a1a1a",
        // A disputed venue is drawn with a dashed ring: its status is shown but not counted.
        weight: properties.disputed ? 3 : 1.5,
        dashArray: properties.disputed ? "3 3" : null,
        fillColor: colours[properties.status] || "#999",
        fillOpacity: 0.95,
        className: "venue-marker status-" + properties.status + (properties.disputed ? " venue-disputed" : ""),
      }).bindPopup(function () { return venuePopup(properties); }).addTo(layer);
    }
  });
};
