// A campaign's support form: sent through the JSON API so each bad field is marked where it is; without signal the
// sign-up waits on the phone (localStorage) and goes by itself when the signal returns or the page is opened again.
// Without this script the form still posts to the page itself.
(function () {
  "use strict";
  var form = document.getElementById("support-form");
  if (!form) return;
  var api = form.getAttribute("data-api");
  var KEY = "signwatch-support:" + api;
  var formError = document.getElementById("form-error");
  var status = document.getElementById("campaign-status");
  if (!status) {
    status = document.createElement("p");
    status.id = "campaign-status";
    status.setAttribute("role", "status");
    status.hidden = true;
    form.parentNode.insertBefore(status, form);
  }

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "form-error" : "notice";
    status.hidden = false;
    status.scrollIntoView({ block: "center" });
  }

  function clearErrors() {
    formError.hidden = true;
    form.querySelectorAll(".field-error").forEach(function (element) { element.hidden = true; element.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (element) { element.removeAttribute("aria-invalid"); });
  }

  function showError(answer) {
    var field = answer.field && document.getElementById("error-" + answer.field);
    if (field) {
      field.textContent = answer.detail;
      field.hidden = false;
      var input = form.elements[answer.field];
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    } else {
      formError.textContent = answer.detail;
      formError.hidden = false;
    }
  }

  function fields() {
    var body = {};
    ["name", "email", "zip_code", "personal_line", "website"].forEach(function (name) {
      if (form.elements[name]) body[name] = form.elements[name].value;
    });
    ["consent_to_contact", "public_name"].forEach(function (name) {
      if (form.elements[name]) body[name] = form.elements[name].checked;
    });
    return body;
  }

  function keep(body) {
    try { localStorage.setItem(KEY, JSON.stringify(body)); } catch (error) { return false; }
    say(gettext("No signal: your support is saved on this phone and will be sent when the signal returns."), false);
    form.reset();
    return true;
  }

  function send(body, fromOutbox) {
    var csrf = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf ? csrf[1] : "" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.status === 202) {
          localStorage.removeItem(KEY);
          say(answer.detail, false);
          if (!fromOutbox) form.reset();
          return;
        }
        if (fromOutbox && response.status !== 429) localStorage.removeItem(KEY); // refused for good: say why
        if (fromOutbox) { say(answer.detail, true); return; }
        showError(answer);
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var body = fields();
    if (navigator.onLine === false) { keep(body); return; }
    send(body, false).catch(function () { keep(body); });
  });

  function sendKept() {
    var kept = localStorage.getItem(KEY);
    if (!kept || navigator.onLine === false) return;
    send(JSON.parse(kept), true).catch(function () { /* still no signal: try again on the next "online" */ });
  }
  window.addEventListener("online", sendKept);
  sendKept();
})();
