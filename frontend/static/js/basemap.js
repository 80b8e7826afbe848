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
