// The moderators' queue: one observation at a time, keyboard first, with a selection of unflagged items decided
// together. Everything shown comes from /api/moderation/queue/ and is written as text, never as HTML.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("moderate-config").textContent);
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) { return text.replace("%s", values[0]); };
  var $ = function (id) { return document.getElementById(id); };
  var queue = [];
  var index = 0;
  var busy = false;
  var selected = {}; // id → true: unflagged items chosen for one bulk decision
  var QUEUE_SIZE = 200; // the bulk endpoint's limit too

  var map = SignWatch.baseMap("item-map", config).setView([39.5, -98.35], 4);
  var layer = L.layerGroup().addTo(map);

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? match[1] : "";
  }

  function queueQuery() {
    var query = new URLSearchParams({ limit: String(QUEUE_SIZE) });
    new FormData($("queue-filters")).forEach(function (value, name) { if (String(value).trim()) query.set(name, value); });
    return query.toString();
  }

  function load() {
    return fetch("/api/moderation/queue/?" + queueQuery(), { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return [response.status, body]; }); })
      .then(function (answer) {
        if (answer[0] !== 200) {
          showError(answer[1].detail || gettext("That did not work."));
          return;
        }
        queue = answer[1];
        var present = {};
        queue.forEach(function (item) { present[item.id] = true; });
        Object.keys(selected).forEach(function (id) { if (!present[id]) delete selected[id]; });
        index = Math.min(index, Math.max(queue.length - 1, 0));
        render();
      });
  }

  function showError(message) {
    $("decision-error").textContent = message;
    $("decision-error").hidden = false;
  }

  function selectedIds() {
    return queue.filter(function (item) { return selected[item.id]; }).map(function (item) { return item.id; });
  }

  function renderSelection() {
    var count = selectedIds().length;
    $("selection-bar").textContent = count
      ? interpolate(gettext("%s selected: Shift+A approves them all, Shift+R rejects them all with the reason typed."), [count])
      : "";
  }

  function renderList() {
    var list = $("queue-list");
    list.textContent = "";
    queue.forEach(function (item, position) {
      var entry = text("li", (item.reported_by_owner ? gettext("Owner's report") + " · " : "") +
        item.venue.venue_type_name + " · " + item.venue.jurisdiction + " · " + item.sign_status +
        (item.flags.length ? " · " + item.flag_labels.join(", ") : ""));
      entry.dataset.id = item.id;
      if (position === index) entry.className += " current";
      if (selected[item.id]) entry.className += " selected";
      if (item.flags.length) entry.className += " flagged";
      entry.addEventListener("click", function () { index = position; render(); });
      list.appendChild(entry);
    });
  }

  function text(tag, value, className) {
    var element = document.createElement(tag);
    element.textContent = value;
    if (className) element.className = className;
    return element;
  }

  function fact(list, term, value) {
    if (value === null || value === undefined || value === "") return;
    list.appendChild(text("dt", term));
    list.appendChild(text("dd", value));
  }

  function render() {
    $("queue-count").textContent = queue.length ? "(" + queue.length + ")" : "";
    $("queue-empty").hidden = queue.length > 0;
    $("item").hidden = queue.length === 0;
    $("decision-error").hidden = true;
    renderSelection();
    renderList();
    if (!queue.length) return;
    var item = queue[index];
    $("item").dataset.id = item.id;
    $("item").classList.toggle("is-selected", Boolean(selected[item.id]));
    $("item-title").textContent = (index + 1) + "/" + queue.length + " · " + item.venue.venue_type_name +
      (item.venue.name ? " · " + item.venue.name : "") + " · " + item.venue.jurisdiction +
      (selected[item.id] ? " · " + gettext("selected") : "");
    var asked = item.second_opinion;
    $("item-second-opinion").hidden = !asked;
    $("item-second-opinion").textContent = asked
      ? interpolate(gettext("%s asks for your opinion."), [asked.requested_by]) + (asked.note ? " " + asked.note : "")
      : "";

    var photos = $("item-photos");
    photos.textContent = "";
    item.photos.forEach(function (photo) {
      var figure = document.createElement("figure");
      var link = document.createElement("a");
      link.href = photo.url;
      link.target = "_blank";
      link.rel = "noopener";
      var image = document.createElement("img");
      image.src = photo.url;
      image.alt = gettext("Submitted photo");
      var frame = document.createElement("span");
      frame.className = "reading-frame";
      frame.appendChild(image);
      drawReadingBoxes(frame, photo.sign_reading);
      link.appendChild(frame);
      figure.appendChild(link);
      if (photo.duplicate_of) {
        var twin = document.createElement("img");
        twin.src = photo.duplicate_of.url;
        twin.alt = gettext("Earlier photo it resembles");
        twin.className = "duplicate";
        figure.appendChild(twin);
        figure.appendChild(text("figcaption", gettext("Looks like a photo already received") + " (" + photo.duplicate_of.review_status + ")"));
      }
      photos.appendChild(figure);
    });

    $("item-owner").hidden = !item.reported_by_owner;

    // A moderator never decides on their own report: the server refuses it, and the page says so up front.
    $("item-own").hidden = item.may_decide;
    $("approve-button").disabled = $("reject-button").disabled = !item.may_decide;

    var flags = $("item-flags");
    flags.textContent = "";
    item.flag_labels.forEach(function (label) { flags.appendChild(text("li", label, "flag")); });

    renderReading(item);

    var facts = $("item-facts");
    facts.textContent = "";
    fact(facts, gettext("Sign"), item.sign_status + (item.deficiencies.length ? ": " + item.deficiencies.join(", ") : ""));
    fact(facts, gettext("Languages seen"), item.languages_seen.join(", "));
    fact(facts, gettext("Seen on"), item.observed_on);
    fact(facts, gettext("Received"), item.created_at.slice(0, 16).replace("T", " "));
    fact(facts, gettext("Location"), item.location_source + (item.location_accuracy_m ? " ±" + Math.round(item.location_accuracy_m) + " m" : ""));
    fact(facts, gettext("Venue"), item.venue_is_new ? gettext("new venue") : gettext("known venue, currently") + " " + item.venue.current_status);
    fact(facts, gettext("Notes"), item.notes);

    map.invalidateSize(); // the map was laid out while the item was hidden
    layer.clearLayers();
    var captured = [item.captured_latitude, item.captured_longitude];
    var venue = [item.venue.latitude, item.venue.longitude];
    L.circleMarker(captured, { radius: 7, color: "#d55e00" }).bindTooltip(gettext("Reported from")).addTo(layer);
    L.circleMarker(venue, { radius: 9, color: "#0072b2" }).bindTooltip(gettext("Venue")).addTo(layer);
    map.fitBounds(L.latLngBounds([captured, venue]).pad(0.5), { maxZoom: 17 });
    $("reason").value = "";
  }

  // Boxes are fractions of the photo's sides, so they sit right whatever size the photo is shown at.
  function drawReadingBoxes(frame, reading) {
    if (!reading) return;
    reading.highlights.forEach(function (highlight) {
      var xs = highlight.box.map(function (point) { return point[0]; });
      var ys = highlight.box.map(function (point) { return point[1]; });
      var left = Math.min.apply(null, xs), top = Math.min.apply(null, ys);
      var box = document.createElement("span");
      box.className = "reading-box " + highlight.kind;
      box.style.left = (left * 100) + "%";
      box.style.top = (top * 100) + "%";
      box.style.width = ((Math.max.apply(null, xs) - left) * 100) + "%";
      box.style.height = ((Math.max.apply(null, ys) - top) * 100) + "%";
      box.title = highlight.kind.replace(/_/g, " ");
      frame.appendChild(box);
    });
  }

  function yesNo(value) {
    if (value === null || value === undefined) return "";
    return value ? gettext("found") : gettext("not found");
  }

  function renderReading(item) {
    var reading = item.sign_reading;
    var verdict = $("reading-verdict");
    var facts = $("reading-facts");
    facts.textContent = "";
    $("reading-text").textContent = reading.text || "";
    $("reading-text-box").hidden = !reading.text;
    var verdicts = {
      found: gettext("Hotline number found"),
      not_found: gettext("Text read, but no hotline number found"),
      unreadable: gettext("No text could be read on the photo"),
    };
    verdict.className = "reading-verdict " + (reading.outcome || "pending");
    verdict.textContent = reading.status === "pending" && !reading.outcome
      ? gettext("Not read yet")
      : verdicts[reading.outcome];
    fact(facts, gettext("National hotline 1-888-373-7888"), yesNo(reading.hotline_found));
    fact(facts, gettext("Text line 233733"), yesNo(reading.text_line_found));
    fact(facts, gettext("State hotline"), yesNo(reading.state_hotline_found));
    fact(facts, gettext("Languages read"), reading.languages.join(", "));
    reading.numbers.forEach(function (number) {
      fact(facts, gettext("Number read"), number.value + (number.note ? " — " + number.note : "") +
        " (" + Math.round(number.confidence * 100) + "%)");
    });
    fact(facts, gettext("Engine"), reading.engine);

    // Pre-fill what the volunteer ticked and what the reading supports; the moderator confirms on approval.
    var suggested = reading.suggested_deficiencies;
    document.querySelectorAll("input[name=deficiency]").forEach(function (box) {
      box.checked = item.deficiencies.indexOf(box.value) >= 0 || suggested.indexOf(box.value) >= 0;
      box.parentNode.querySelector(".suggested-tag").hidden = suggested.indexOf(box.value) < 0;
    });
    $("deficiency-choices").hidden = item.sign_status === "missing";
  }

  function confirmedDeficiencies() {
    var checked = document.querySelectorAll("input[name=deficiency]:checked");
    return Array.prototype.map.call(checked, function (box) { return box.value; });
  }

  function decide(action) {
    if (busy || !queue.length) return;
    var item = queue[index];
    if (!item.may_decide) return;
    var reason = $("reason").value.trim();
    if (action === "reject" && !reason) {
      $("reason").focus();
      $("decision-error").textContent = gettext("Type the reason for the volunteer, then press Enter.");
      $("decision-error").hidden = false;
      return;
    }
    busy = true;
    fetch("/api/moderation/observations/" + encodeURIComponent(item.id) + "/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(
        action === "approve" && item.sign_status !== "missing"
          ? { action: action, reason: reason, deficiencies: confirmedDeficiencies() }
          : { action: action, reason: reason }
      ),
    })
      .then(function (response) { return response.json().then(function (body) { return [response.status, body]; }); })
      .then(function (answer) {
        busy = false;
        if (answer[0] === 200 || answer[0] === 409) {
          // 409: another moderator decided first; either way the item leaves this queue.
          removeFromQueue([item.id]);
        } else {
          showError(answer[1].detail || gettext("That did not work."));
        }
      })
      .catch(function () {
        busy = false;
        $("decision-error").textContent = gettext("No connection to the server.");
        $("decision-error").hidden = false;
      });
  }

  function removeFromQueue(ids) {
    var gone = {};
    ids.forEach(function (id) { gone[id] = true; delete selected[id]; });
    var before = queue.slice(0, index).filter(function (item) { return gone[item.id]; }).length;
    queue = queue.filter(function (item) { return !gone[item.id]; });
    // The item after a removed current one slides into its place; removals before it shift it back.
    index = Math.max(0, Math.min(index - before, queue.length - 1));
    if (document.activeElement && document.activeElement.form) document.activeElement.blur(); // back to the queue's keys
    render();
    if (!queue.length) load();
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) { return response.json().then(function (answer) { return [response.status, answer]; }); });
  }

  function toggleSelected() {
    if (!queue.length) return;
    var item = queue[index];
    if (item.flags.length) {
      showError(gettext("Flagged reports need a look of their own: decide this one by itself."));
      return;
    }
    if (selected[item.id]) delete selected[item.id];
    else selected[item.id] = true;
    if (index < queue.length - 1) index += 1;
    render();
  }

  // One decision for the whole selection: all of it, or nothing if another moderator decided one of them first.
  function decideSelection(action) {
    var ids = selectedIds();
    if (busy || !ids.length) return;
    var reason = $("reason").value.trim();
    if (action === "reject" && !reason) {
      $("reason").focus();
      showError(gettext("Type one reason for all of them, then press Shift+Enter."));
      return;
    }
    busy = true;
    post("/api/moderation/bulk/", { ids: ids, action: action, reason: reason })
      .then(function (answer) {
        busy = false;
        if (answer[0] === 200) {
          removeFromQueue(ids);
          $("reason").value = "";
        } else if (answer[0] === 409) {
          selected = {};
          load().then(function () {
            showError(gettext("Another moderator decided some of these first; nothing was changed. Select again."));
          });
        } else {
          showError(answer[1].detail || gettext("That did not work."));
        }
      })
      .catch(function () {
        busy = false;
        showError(gettext("No connection to the server."));
      });
  }

  $("second-opinion-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy || !queue.length) return;
    var item = queue[index];
    busy = true;
    post("/api/moderation/observations/" + encodeURIComponent(item.id) + "/second-opinion/", {
      moderator: $("second-moderator").value.trim(),
      action: $("own-call").value,
      note: $("reason").value.trim(),
    })
      .then(function (answer) {
        busy = false;
        if (answer[0] === 201 || answer[0] === 409) removeFromQueue([item.id]);
        else showError(answer[1].detail || gettext("That did not work."));
      })
      .catch(function () {
        busy = false;
        showError(gettext("No connection to the server."));
      });
  });
  $("queue-filters").addEventListener("change", function () { index = 0; selected = {}; load(); });
  $("queue-filters").addEventListener("submit", function (event) { event.preventDefault(); });

  $("approve-button").addEventListener("click", function () { decide("approve"); });
  $("reject-button").addEventListener("click", function () { decide("reject"); });
  $("skip-button").addEventListener("click", function () { index = (index + 1) % Math.max(queue.length, 1); render(); });
  $("decision-form").addEventListener("submit", function (event) { event.preventDefault(); decide("reject"); });
  document.addEventListener("keydown", function (event) {
    if (event.target.id === "reason") {
      if (event.key === "Escape") event.target.blur();
      else if (event.key === "Enter" && event.shiftKey) { event.preventDefault(); decideSelection("reject"); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || /INPUT|TEXTAREA|SELECT/.test(event.target.tagName)) return;
    var key = event.key.toLowerCase();
    if (event.shiftKey && key === "a") decideSelection("approve");
    else if (event.shiftKey && key === "r") { event.preventDefault(); decideSelection("reject"); }
    else if (key === "x") toggleSelected();
    else if (key === "o") { event.preventDefault(); $("second-moderator").focus(); }
    else if (key === "a") decide("approve");
    else if (key === "r") { event.preventDefault(); $("reason").focus(); }
    else if (key === "j") { index = (index + 1) % Math.max(queue.length, 1); render(); }
    else if (key === "k") { index = (index - 1 + queue.length) % Math.max(queue.length, 1); render(); }
  });

  load();
})();
