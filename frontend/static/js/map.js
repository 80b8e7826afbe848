// The public map: jurisdictions coloured by posting-law status. No base tiles unless the operator configures a
// tile URL, so it works offline; server data arrives through the json_script element "map-config".
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var VIEWS = {
    lower48: [[24.4, -125.0], [49.5, -66.9]],
    caribbean: [[17.6, -67.4], [18.6, -64.5]],
    pacific: [[13.2, 144.5], [20.6, 146.2]],
    // Alaska's Aleutians cross the antimeridian, so its shape's bounds would span the globe.
    AK: [[51.2, -179.5], [71.5, -129.9]],
  };

  var map = L.map("map", { zoomSnap: 0.25, minZoom: 2, maxZoom: 18, worldCopyJump: false, attributionControl: !!config.tileUrl });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 18 }).addTo(map);
  }
  map.fitBounds(VIEWS.lower48);

  function styleFor(row) {
    var status = row ? row.status : "unknown";
    var verified = row ? row.verified : false;
    return {
      className: "jurisdiction-shape status-" + status,
      weight: 1,
      color: "#333",
      dashArray: verified || status === "unknown" ? null : "4 3",
      fillOpacity: 0.85,
    };
  }

  function popupFor(code, row) {
    // Built from DOM nodes, never from HTML strings: names and citations are data.
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = row ? row.name : code;
    box.appendChild(title);
    var status = document.createElement("p");
    status.textContent = row ? row.status_label + (row.citation ? " · " + row.citation : "") : "";
    box.appendChild(status);
    var link = document.createElement("a");
    link.href = "/j/" + encodeURIComponent(code) + "/";
    link.textContent = "Read the law";
    box.appendChild(link);
    return box;
  }

  var shapes = {};
  fetch(config.boundariesUrl)
    .then(function (response) {
      if (!response.ok) throw new Error("boundaries " + response.status);
      return response.json();
    })
    .then(function (collection) {
      L.geoJSON(collection, {
        style: function (feature) {
          return styleFor(config.jurisdictions[feature.properties.code]);
        },
        onEachFeature: function (feature, layer) {
          var code = feature.properties.code;
          var row = config.jurisdictions[code];
          shapes[code] = layer;
          layer.bindTooltip(row ? row.name + ": " + row.status_label : code, { sticky: true });
          layer.bindPopup(function () { return popupFor(code, row); });
          layer.on("add", function () {
            var element = layer.getElement();
            if (element) element.setAttribute("data-code", code);
          });
        },
      }).addTo(map);
      document.getElementById("map").setAttribute("data-ready", "true");
    })
    .catch(function (error) {
      var notice = document.createElement("p");
      notice.className = "map-error";
      notice.textContent = "The map could not load its boundaries (" + error.message + "). The table below has the same figures.";
      document.getElementById("map").appendChild(notice);
    });

  document.getElementById("map-jump").addEventListener("change", function (event) {
    var value = event.target.value;
    if (VIEWS[value]) map.fitBounds(VIEWS[value]);
    else if (shapes[value]) map.fitBounds(shapes[value].getBounds());
  });
})();
