// Shared by the pages with a map: a Leaflet map that needs no third-party server. With a PMTiles archive configured
// (MAP_PMTILES_URL) it draws a street basemap from it, read piece by piece with HTTP range requests; else with a
// tile URL (MAP_TILE_URL) it adds those tiles; else it draws the state outlines from the simplified Census file.
window.SignWatch = window.SignWatch || {};
window.SignWatch.streetLayer = function (config) {
  "use strict";
  if (config.pmtilesUrl && window.protomapsL && window.pmtiles) {
    // The archive's own deepest zoom is read from its header first: zoomed in past it, the map draws that zoom's
    // data larger instead of asking for tiles a small extract does not hold.
    var archive = new pmtiles.PMTiles(config.pmtilesUrl);
    var group = L.layerGroup([], { attribution: config.pmtilesAttribution });
    archive.getHeader().then(function (header) {
      group.addLayer(protomapsL.leafletLayer({
        url: archive,
        flavor: "light",
        lang: (document.documentElement.lang || "en").split("-")[0],
        maxDataZoom: header.maxZoom,
        maxZoom: 19,
      }));
    }).catch(function () { /* no basemap: the pins and the outlines of the page still work */ });
    return group;
  }
  if (config.tileUrl) return L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 });
  return null;
};
window.SignWatch.baseMap = function (elementId, config, options) {
  "use strict";
  var street = window.SignWatch.streetLayer(config);
  var map = L.map(elementId, Object.assign({ attributionControl: !!street }, options || {}));
  if (street) {
    street.addTo(map);
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

function clusterSize(venues) {
  "use strict";
  return Math.round(26 + 8 * Math.log10(Math.max(venues, 1)));
}

// Clusters whose icons would touch on screen are drawn as one, their counts added, at their venue-weighted mean
// point: overlapping icons hide each other's counts and are targets too close together to tap (WCAG 2.5.8).
window.SignWatch.declutter = function (map, features) {
  "use strict";
  var clusters = [];
  var others = [];
  features.forEach(function (feature) {
    var properties = feature.properties;
    if (properties.kind !== "cluster") { others.push(feature); return; }
    var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    clusters.push({ at: at, point: map.latLngToLayerPoint(at), properties: Object.assign({}, properties) });
  });
  function absorb(into, from) {
    var total = into.properties.venues + from.properties.venues;
    into.at = [
      (into.at[0] * into.properties.venues + from.at[0] * from.properties.venues) / total,
      (into.at[1] * into.properties.venues + from.at[1] * from.properties.venues) / total,
    ];
    ["venues", "posted", "deficient", "missing"].forEach(function (key) { into.properties[key] += from.properties[key]; });
    into.point = map.latLngToLayerPoint(into.at);
  }
  // Greedy passes until nothing touches: a merged icon grows a little and may reach a neighbour.
  for (var changed = true; changed;) {
    changed = false;
    var kept = [];
    clusters.forEach(function (cluster) {
      var touching = kept.filter(function (other) {
        var room = (clusterSize(cluster.properties.venues) + clusterSize(other.properties.venues)) / 2 + 4;
        return cluster.point.distanceTo(other.point) < room;
      })[0];
      if (touching) { absorb(touching, cluster); changed = true; } else kept.push(cluster);
    });
    clusters = kept;
  }
  // A single venue's dot (16 px) right beside a cluster is a target too close to it: it joins the cluster too.
  others = others.filter(function (feature) {
    var properties = feature.properties;
    var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    var point = map.latLngToLayerPoint(at);
    var touching = clusters.filter(function (cluster) {
      return cluster.point.distanceTo(point) < clusterSize(cluster.properties.venues) / 2 + 8 + 4;
    })[0];
    if (!touching || !(properties.status in touching.properties)) return true;
    touching.properties.venues += 1;
    touching.properties[properties.status] += 1;
    return false;
  });
  return others.concat(clusters.map(function (cluster) {
    return { type: "Feature", geometry: { type: "Point", coordinates: [cluster.at[1], cluster.at[0]] }, properties: cluster.properties };
  }));
};

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

  var map = layer._map;
  var features = map ? window.SignWatch.declutter(map, collection.features) : collection.features;
  // The map's own buttons (zoom, layers) as boxes in the map's pixels.
  var controls = map ? Array.prototype.map.call(map.getContainer().querySelectorAll(".leaflet-control"), function (control) {
    var box = control.getBoundingClientRect();
    var origin = map.getContainer().getBoundingClientRect();
    return { left: box.left - origin.left, top: box.top - origin.top, right: box.right - origin.left, bottom: box.bottom - origin.top };
  }) : [];
  // A marker that would sit under one of them is left out until the map moves: there it could be neither seen whole
  // nor tapped (WCAG 2.5.8), and the next view draws it in the open.
  function underControl(at, half) {
    if (!controls.length) return false;
    var point = map.latLngToContainerPoint(at);
    return controls.some(function (box) {
      return point.x + half > box.left && point.x - half < box.right && point.y + half > box.top && point.y - half < box.bottom;
    });
  }
  features.forEach(function (feature) {
    var properties = feature.properties;
    var at = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    if (underControl(at, properties.kind === "cluster" ? clusterSize(properties.venues) / 2 : 8)) return;
    if (properties.kind === "cluster") {
      var total = properties.venues;
      var postedEnd = (100 * properties.posted) / total;
      var deficientEnd = postedEnd + (100 * properties.deficient) / total;
      var size = clusterSize(total);
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
