// A jurisdiction's page: a small map of its reported venues (from /api/map/), framed on the jurisdiction.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("state-map-config").textContent);
  var map = SignWatch.baseMap("state-map", config);
  var layer = L.layerGroup().addTo(map);

  fetch(config.boundariesUrl).then(function (r) { return r.json(); }).then(function (shapes) {
    var shape = shapes.features.filter(function (feature) { return feature.properties.code === config.jurisdiction; })[0];
    // Alaska's Aleutians cross the antimeridian: frame its mainland instead of the whole globe.
    if (config.jurisdiction === "AK") map.fitBounds([[51.2, -179.5], [71.5, -129.9]]);
    else if (shape) map.fitBounds(L.geoJSON(shape).getBounds());
    else map.setView([39.5, -98.35], 4);
  });

  map.on("moveend", function () {
    var bounds = map.getBounds();
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map(function (value, index) {
      var limit = index % 2 === 0 ? 180 : 90;
      return Math.max(-limit, Math.min(limit, value)).toFixed(5);
    }).join(",");
    fetch("/api/map/?bbox=" + bbox + "&zoom=" + Math.round(map.getZoom()))
      .then(function (r) { return r.json(); })
      .then(function (collection) {
        layer.clearLayers();
        SignWatch.drawFeatures(layer, collection);
      });
  });
})();
