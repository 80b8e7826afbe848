// The volunteer's report form. Phone first: one bar of signal, a photo taken in a parking lot.
// The location comes from the phone when the photo is taken, from a pin the volunteer drags, or (on the server)
// from the photo's own GPS data; big photos are shrunk here before upload, keeping their EXIF block so the server
// can still read where and when they were taken (the server then strips every byte of metadata).
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("submit-config").textContent);
  var form = document.getElementById("submit-form");
  var $ = function (id) { return document.getElementById(id); };
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) { return text.replace("%s", values[0]); };

  var state = { photos: [], point: null, venueId: null, venueTypes: [], covered: [], idempotencyKey: newKey() };
  var SHRINK_ABOVE_BYTES = 2 * 1024 * 1024;
  var SHRINK_TO_PX = 2560;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  // ---------- map and location ----------
  var map = SignWatch.baseMap("pin-map", config).setView([39.5, -98.35], 3);
  var marker = null;

  function setPoint(lat, lon, source, accuracy) {
    state.point = { lat: lat, lon: lon, source: source, accuracy: accuracy };
    if (!marker) {
      marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: gettext("Venue location") }).addTo(map);
      marker.on("dragend", function () {
        var at = marker.getLatLng();
        setPoint(at.lat, at.lng, "manual", null);
      });
    } else {
      marker.setLatLng([lat, lon]);
    }
    if (source !== "manual") map.setView([lat, lon], 17);
    var where = lat.toFixed(5) + ", " + lon.toFixed(5);
    $("location-status").textContent = source === "manual"
      ? gettext("Pin placed at") + " " + where
      : gettext("Location found") + " (" + where + (accuracy ? ", ±" + Math.round(accuracy) + " m" : "") + ")";
    locate(lat, lon);
  }

  function askDevice() {
    if (!navigator.geolocation) {
      $("location-status").textContent = gettext("This browser cannot share its location: tap the map to place the pin.");
      return;
    }
    $("location-status").textContent = gettext("Finding your location…");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        setPoint(position.coords.latitude, position.coords.longitude, "device", position.coords.accuracy);
      },
      function () {
        if (!state.point) {
          $("location-status").textContent = gettext("No location from the phone: tap the map or drag the pin to the venue.");
        }
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }
  map.on("click", function (event) { setPoint(event.latlng.lat, event.latlng.lng, "manual", null); });
  $("locate-button").addEventListener("click", askDevice);

  function locate(lat, lon) {
    var banner = $("jurisdiction-banner");
    fetch("/api/locate/?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon))
      .then(function (response) { return response.json().then(function (body) { return [response.status, body]; }); })
      .then(function (answer) {
        var status = answer[0], body = answer[1];
        banner.hidden = false;
        if (status !== 200) {
          banner.className = "jurisdiction-banner outside";
          banner.textContent = body.detail || gettext("This point is outside the area SignWatch covers.");
          state.covered = [];
        } else {
          banner.className = "jurisdiction-banner";
          var names = body.covered_venue_types.map(function (v) { return v.name; });
          banner.textContent = body.jurisdiction.name + ": " + (body.law_status === "mandatory"
            ? gettext("the law requires the hotline sign in") + " " + (names.join(", ") || gettext("some places"))
            : gettext("no law requiring the sign has been confirmed here; reports still help."));
          state.covered = body.covered_venue_types.map(function (v) { return v.slug; });
        }
        fillVenueTypes();
        loadNearby(lat, lon);
      })
      .catch(function () { banner.hidden = true; });
  }

  // ---------- venue ----------
  fetch("/api/venue-types/").then(function (r) { return r.json(); }).then(function (types) {
    // Names come in the page's language; sort them in it too ("Área de descanso" among the A's).
    var collator = new Intl.Collator(document.documentElement.lang || undefined, { sensitivity: "base" });
    state.venueTypes = types.sort(function (a, b) { return collator.compare(a.name, b.name); });
    fillVenueTypes();
  });

  function fillVenueTypes() {
    var select = $("venue-type");
    var chosen = select.value;
    // Keep the "Choose…" placeholder; drop the rest, optgroups included (removing options leaves them empty).
    while (select.children.length > 1) select.removeChild(select.lastChild);
    var covered = state.venueTypes.filter(function (v) { return state.covered.indexOf(v.slug) >= 0; });
    var others = state.venueTypes.filter(function (v) { return state.covered.indexOf(v.slug) < 0; });
    [[gettext("Covered by the law here"), covered], [gettext("Other places"), others]].forEach(function (group) {
      if (!group[1].length) return;
      var optgroup = document.createElement("optgroup");
      optgroup.label = group[0];
      group[1].forEach(function (venueType) {
        var option = document.createElement("option");
        option.value = venueType.slug;
        option.textContent = venueType.name;
        optgroup.appendChild(option);
      });
      select.appendChild(optgroup);
    });
    select.value = chosen;
  }

  function loadNearby(lat, lon) {
    fetch("/api/venues/nearby/?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon))
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (venues) {
        var list = $("nearby-list");
        list.textContent = "";
        state.venueId = null;
        $("nearby-venues").hidden = venues.length === 0;
        venues.forEach(function (venue) {
          var item = document.createElement("li");
          var label = document.createElement("label");
          label.className = "choice";
          var radio = document.createElement("input");
          radio.type = "radio";
          radio.name = "nearby_venue";
          radio.value = venue.id;
          radio.addEventListener("change", function () {
            state.venueId = venue.id;
            $("venue-type").value = venue.venue_type;
            $("venue-name").value = venue.name;
          });
          label.appendChild(radio);
          label.appendChild(document.createTextNode(
            " " + (venue.name || venue.venue_type_name) + " · " + venue.venue_type_name + " · " + Math.round(venue.distance_m) + " m"
          ));
          item.appendChild(label);
          list.appendChild(item);
        });
      })
      .catch(function () { $("nearby-venues").hidden = true; });
  }

  // ---------- photos ----------
  function exifSegment(buffer) {
    // The JPEG's APP1 "Exif" segment, with its Orientation reset to 1 because the canvas has already turned the
    // pixels upright. Returns null when there is none or the file is not a JPEG.
    try {
      var view = new DataView(buffer);
      if (view.getUint16(0) !== 0xffd8) return null;
      var offset = 2;
      while (offset + 4 <= view.byteLength) {
        var marker = view.getUint16(offset);
        if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
        var length = view.getUint16(offset + 2);
        if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) {
          var segment = new Uint8Array(buffer.slice(offset, offset + 2 + length));
          var exif = new DataView(segment.buffer);
          var tiff = 10;
          var little = exif.getUint16(tiff) === 0x4949;
          var ifd = tiff + exif.getUint32(tiff + 4, little);
          var count = exif.getUint16(ifd, little);
          for (var i = 0; i < count; i++) {
            var entry = ifd + 2 + i * 12;
            if (exif.getUint16(entry, little) === 0x0112) exif.setUint16(entry + 8, 1, little);
          }
          return segment;
        }
        offset += 2 + length;
      }
    } catch (error) { /* a malformed header: send no EXIF rather than a broken file */ }
    return null;
  }

  function shrink(file) {
    // Resolves to the Blob to upload: the file itself when small or undecodable here (HEIC on most browsers).
    if (file.size <= SHRINK_ABOVE_BYTES || !window.createImageBitmap) return Promise.resolve(file);
    return file.arrayBuffer().then(function (buffer) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, SHRINK_TO_PX / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.88); }).then(function (blob) {
          if (!blob || blob.size >= file.size) return file;
          var exif = exifSegment(buffer);
          if (!exif) return blob;
          return blob.arrayBuffer().then(function (jpeg) {
            return new Blob([new Uint8Array(jpeg, 0, 2), exif, new Uint8Array(jpeg, 2)], { type: "image/jpeg" });
          });
        });
      });
    }).catch(function () { return file; });
  }

  function addFiles(files, fromCamera) {
    var room = config.maxPhotos - state.photos.length;
    Array.prototype.slice.call(files, 0, Math.max(room, 0)).forEach(function (file) {
      var entry = { original: file, blob: null, ready: shrink(file) };
      entry.ready.then(function (blob) { entry.blob = blob; });
      state.photos.push(entry);
    });
    if (files.length > room) showError(gettext("Up to 3 photos per report."));
    if (fromCamera) askDevice(); // the phone's location now is where the photo was taken
    renderPreviews();
  }

  function renderPreviews() {
    var list = $("photo-previews");
    list.textContent = "";
    state.photos.forEach(function (entry, index) {
      var item = document.createElement("li");
      var image = document.createElement("img");
      image.alt = gettext("Photo") + " " + (index + 1);
      image.src = URL.createObjectURL(entry.original);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button-small";
      remove.textContent = gettext("Remove");
      remove.addEventListener("click", function () { state.photos.splice(index, 1); renderPreviews(); });
      item.appendChild(image);
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  $("camera-input").addEventListener("change", function (event) { addFiles(event.target.files, true); event.target.value = ""; });
  $("photos-input").addEventListener("change", function (event) { addFiles(event.target.files, false); event.target.value = ""; });

  // ---------- sign ----------
  form.addEventListener("change", function (event) {
    if (event.target.name === "sign_status") $("deficiency-box").hidden = event.target.value !== "deficient";
  });
  var today = new Date();
  $("observed-on").value = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  $("observed-on").max = $("observed-on").value;

  // ---------- send ----------
  function showError(message) {
    var box = $("form-error");
    box.textContent = message;
    box.hidden = !message;
    if (message) box.scrollIntoView({ block: "center" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");
    if (!state.photos.length) return showError(gettext("Add a photo of the sign, or of the wall where it should be."));
    if (!$("venue-type").value) return showError(gettext("Choose the type of place."));
    if (!form.querySelector("input[name=sign_status]:checked")) return showError(gettext("Say whether the sign is posted."));
    Promise.all(state.photos.map(function (entry) { return entry.ready; })).then(send);
  });

  function send(blobs) {
    var fields = [];
    if (state.point) {
      fields.push(["lat", state.point.lat], ["lon", state.point.lon], ["location_source", state.point.source]);
      if (state.point.accuracy) fields.push(["accuracy_m", state.point.accuracy]);
    }
    if (state.venueId) fields.push(["venue_id", state.venueId]);
    fields.push(["venue_type", $("venue-type").value], ["venue_name", $("venue-name").value]);
    fields.push(["sign_status", form.querySelector("input[name=sign_status]:checked").value]);
    form.querySelectorAll("input[name=deficiencies]:checked").forEach(function (box) { fields.push(["deficiencies", box.value]); });
    form.querySelectorAll("input[name=languages]:checked").forEach(function (box) { fields.push(["languages", box.value]); });
    $("other-languages").value.split(",").forEach(function (language) {
      if (language.trim()) fields.push(["languages", language.trim()]);
    });
    fields.push(["notes", form.elements.notes.value]);
    // Kept in the form for the next report: the volunteer typed it once.
    if ($("notify-email").value.trim()) fields.push(["email", $("notify-email").value.trim()]);
    if ($("observed-on").value) fields.push(["observed_on", $("observed-on").value]);
    var entry = { key: state.idempotencyKey, createdAt: new Date().toISOString(), fields: fields, photos: blobs };

    $("upload-progress").hidden = false;
    $("send-button").disabled = true;
    upload(entry, function (percent) {
      $("progress-bar").value = percent;
      $("progress-text").textContent = percent + "%";
    }).then(function (answer) {
      if (answer.status === 201 && answer.body.receipt) {
        window.location.assign("/r/" + encodeURIComponent(answer.body.receipt) + "/");
        return;
      }
      sendingDone();
      if (worthRetrying(answer.status)) return keep(entry);
      showError(answer.body.detail || gettext("The report could not be sent. Please try again."));
    }, function () {
      sendingDone();
      keep(entry);
    });
  }

  function sendingDone() {
    $("send-button").disabled = false;
    $("upload-progress").hidden = true;
  }

  // POSTs one report; resolves with {status, body} for any answer, rejects when no answer came (no connection).
  function upload(entry, onProgress) {
    return new Promise(function (resolve, reject) {
      var data = new FormData();
      entry.photos.forEach(function (blob, index) { data.append("photos", blob, "photo-" + (index + 1) + ".jpg"); });
      entry.fields.forEach(function (field) { data.append(field[0], field[1]); });
      var request = new XMLHttpRequest();
      request.open("POST", "/api/observations/");
      // The same key on every attempt: if an earlier one did arrive, the server answers with that report.
      request.setRequestHeader("Idempotency-Key", entry.key);
      var csrf = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
      if (csrf) request.setRequestHeader("X-CSRFToken", csrf[1]);
      if (onProgress) {
        request.upload.addEventListener("progress", function (progress) {
          if (progress.lengthComputable) onProgress(Math.round((progress.loaded / progress.total) * 100));
        });
      }
      request.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(request.responseText); } catch (error) { /* not JSON: status alone decides */ }
        resolve({ status: request.status, body: body });
      });
      request.addEventListener("error", reject);
      request.addEventListener("timeout", reject);
      request.send(data);
    });
  }

  // Worth sending again later: too many reports for now, the server or a proxy between unavailable, or a refused
  // CSRF check (the cookie changed since; the next page load brings a fresh one). A saved report is never dropped
  // for those: only an answer that says the report itself is wrong ends it.
  function worthRetrying(status) {
    return status === 0 || status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;
  }

  // ---------- the outbox: reports waiting for signal ----------
  var outbox = window.SignWatchOutbox;
  var flushing = false;
  var refusals = []; // details of saved reports the server refused for good, shown until cleared
  var retryTimer = null;

  function keep(entry) {
    var failed = function () {
      showError(gettext("No connection. Your report is still here: press Send again when you have signal."));
    };
    if (!outbox) return failed();
    outbox.put(entry).then(function () {
      startNewReport();
      return showOutbox().then(function () { $("outbox").scrollIntoView({ block: "center" }); });
    }, failed);
  }

  function startNewReport() {
    // The report is safe in the outbox: clear what belongs to it, keep the location and the type of place.
    state.photos = [];
    state.idempotencyKey = newKey();
    renderPreviews();
    form.querySelectorAll("input[name=sign_status], input[name=deficiencies], input[name=languages]").forEach(
      function (box) { box.checked = false; }
    );
    $("deficiency-box").hidden = true;
    $("venue-name").value = "";
    $("other-languages").value = "";
    form.elements.notes.value = "";
    showError("");
  }

  function flush() {
    if (!outbox || flushing) return Promise.resolve();
    flushing = true;
    return outbox.waiting().then(function (entries) {
      // One at a time, oldest first; stop at the first one the connection cannot carry yet.
      return entries.reduce(function (previous, entry) {
        return previous.then(function (carryOn) {
          if (!carryOn) return false;
          return upload(entry).then(function (answer) {
            if (answer.status === 201 && answer.body.receipt) {
              return outbox.addSent({ receipt: answer.body.receipt, createdAt: entry.createdAt })
                .then(function () { return outbox.remove(entry.key); })
                .then(function () { return true; });
            }
            if (worthRetrying(answer.status)) return false;
            // Refused for good (outside the area, say): keeping it would only fail again.
            refusals.push(answer.body.detail || gettext("The report could not be sent. Please try again."));
            return outbox.remove(entry.key).then(function () { return true; });
          }, function () { return false; });
        });
      }, Promise.resolve(true));
    }).catch(function () { /* the outbox could not be read: nothing to send */ }).then(function () {
      flushing = false;
      return showOutbox();
    });
  }

  function showOutbox() {
    if (!outbox) return Promise.resolve();
    return Promise.all([outbox.waiting(), outbox.sent()]).then(function (lists) {
      var waiting = lists[0];
      var sent = lists[1];
      var box = $("outbox");
      box.hidden = !waiting.length && !sent.length && !refusals.length;
      $("outbox-waiting").textContent = waiting.length
        ? interpolate(ngettext(
          "%s report is saved on this phone and will be sent by itself when there is signal.",
          "%s reports are saved on this phone and will be sent by themselves when there is signal.",
          waiting.length), [waiting.length])
        : "";
      var list = $("outbox-sent");
      list.textContent = "";
      sent.forEach(function (item) {
        var line = document.createElement("li");
        var link = document.createElement("a");
        link.href = "/r/" + encodeURIComponent(item.receipt) + "/";
        var day = new Date(item.createdAt).toLocaleDateString(document.documentElement.lang || undefined);
        link.textContent = interpolate(gettext("Report saved on %s: sent, see its receipt"), [day]);
        line.appendChild(link);
        list.appendChild(line);
      });
      refusals.forEach(function (detail) {
        var line = document.createElement("li");
        line.className = "outbox-refused";
        line.textContent = gettext("A saved report was refused:") + " " + detail;
        list.appendChild(line);
      });
      $("outbox-clear").hidden = !sent.length && !refusals.length;
      if (waiting.length && !retryTimer) retryTimer = window.setInterval(flush, 30000);
      if (!waiting.length && retryTimer) { window.clearInterval(retryTimer); retryTimer = null; }
    }).catch(function () { /* IndexedDB unavailable (some private modes): the form works as before */ });
  }

  $("outbox-clear").addEventListener("click", function () {
    refusals = [];
    outbox.clearSent().then(showOutbox);
  });
  window.addEventListener("online", flush);

  // ---------- opening the form with no signal ----------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && "kept" in event.data) document.documentElement.setAttribute("data-offline-ready", "");
    });
    navigator.serviceWorker.register("/sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // What this page loaded before the worker was in charge: the worker keeps a copy of it for the next time.
      var loaded = performance.getEntriesByType("resource").map(function (entry) { return entry.name; });
      registration.active.postMessage({ keep: loaded });
    }).catch(function () { /* no worker (a private window, plain http): the form still works with signal */ });
  }

  askDevice();
  flush(); // reports left waiting when the page was last closed
})();
