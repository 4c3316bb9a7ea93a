// Enhancement only: without JavaScript every button posts the page and the server saves it.
// With it, answers save in the background as the learner changes them, the status line says
// "Saved" or "Not saved — retrying", and the timer counts down (the server still decides).
// Without a connection, answers, page changes and the submit wait in offline.js's queue.
(function () {
  var form = document.querySelector("form[data-attempt-form]");
  if (!form) { return; }
  // Not form.action: the buttons named "action" shadow that property.
  var url = form.getAttribute("action");
  var status = document.querySelector("[data-save-status]");
  var pending = null, inFlight = false, dirty = false, retryDelay = 2000, submitting = false;

  var attemptId = (url.match(/\/attempts\/(\d+)/) || [])[1];
  function fields(extra) {
    var pairs = [];
    new FormData(form).forEach(function (v, k) { if (k !== "csrf_token" && k !== "action") { pairs.push([k, String(v)]); } });
    return pairs;
  }
  function keepOffline(type) {
    // No connection: the answers wait on this device and are sent, in order, when it returns.
    var offline = window.academyOffline;
    if (!offline || !attemptId) { return null; }
    // Once the submit is queued, a late autosave would only be refused as "already submitted".
    if (form.dataset.submittedOffline) { return Promise.resolve(); }
    var page = new FormData(form).get("page") || "1";
    return offline.queue({ type: type, attempt: parseInt(attemptId, 10), fields: fields() },
                         type === "answers" ? "answers:" + attemptId + ":" + page : null).then(function () {
      if (status) { status.textContent = offline.queuedText(); status.dataset.state = "queued"; }
    });
  }

  // Offline, the learner still goes from page to page: the other pages wait in the attempt
  // page as <template>s; a page left behind is hidden and disabled (its answers are queued
  // already, and an online post later saves only the page shown, as the server expects).
  function showPage(n) {
    var target = form.querySelector("fieldset[data-attempt-page='" + n + "']");
    var tpl = form.querySelector("template[data-attempt-page='" + n + "']");
    if (!target && tpl) {
      target = tpl.content.firstElementChild.cloneNode(true);
      tpl.replaceWith(target);
    }
    if (!target) { return; }
    form.querySelectorAll("fieldset[data-attempt-page]").forEach(function (fs) {
      fs.hidden = fs.disabled = fs !== target;
    });
    var count = form.querySelectorAll("[data-attempt-page]").length;
    form.querySelector("input[name=page]").value = n;
    var enter = form.querySelector("[data-enter-action]");
    if (enter) { enter.value = n < count ? "page:" + (n + 1) : "save"; }
    form.querySelectorAll(".attempt-pages button").forEach(function (b) {
      var here = b.value === "page:" + n;
      b.disabled = here;
      if (here) { b.setAttribute("aria-current", "page"); } else { b.removeAttribute("aria-current"); }
    });
    var label = document.querySelector("[data-page-label]");
    if (label) { label.textContent = target.dataset.pageLabel; }
    // A reload once the link is back opens the page the learner is on.
    history.replaceState(history.state, "", url.split("?")[0] + "?page=" + n);
    window.scrollTo(0, 0);
    var first = target.querySelector("input, select, textarea");
    if (first) { first.focus({ preventScroll: true }); }
  }

  function say(key) { if (status) { status.textContent = status.dataset[key]; status.dataset.state = key; } }

  function save() {
    if (inFlight) { dirty = true; return; }
    inFlight = true; dirty = false;
    say("saving");
    var data = new FormData(form);
    data.set("action", "autosave");
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      })
      .then(function (res) {
        inFlight = false;
        if (res.status === 409 && res.body.redirect) { window.location.assign(res.body.redirect); return; }
        if (res.status !== 200) { throw new Error(res.status); }
        retryDelay = 2000;
        say("saved");
        var count = document.querySelector("[data-answered-count]");
        if (count && res.body.answered_text) { count.textContent = res.body.answered_text; }
        if (dirty) { save(); }
      })
      .catch(function (err) {
        inFlight = false;
        if (window.academyOffline && window.academyOffline.isNetworkError(err) && !navigator.onLine) {
          keepOffline("answers");
          return;
        }
        say("retrying");
        pending = window.setTimeout(save, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      });
  }

  function schedule(delay) {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(save, delay);
  }

  // A submit kept offline and now sent: show the result, as an online submit does.
  document.addEventListener("academy:synced", function () {
    if (form.dataset.submittedOffline) { window.location.assign(url.split("?")[0] + "/result"); }
  });

  form.addEventListener("change", function () { schedule(300); });
  form.addEventListener("input", function (e) { if (e.target.type === "text") { schedule(1200); } });
  form.addEventListener("submit", function (event) {
    submitting = true;
    if (pending) { window.clearTimeout(pending); }
    if (navigator.onLine) { return; }
    var action = event.submitter ? event.submitter.value : "save";
    if (action === "submit" && keepOffline("submit")) {
      event.preventDefault();
      form.dataset.submittedOffline = "1";
      form.querySelectorAll("button, input, select, textarea").forEach(function (el) { el.disabled = true; });
    } else if (action !== "submit" && keepOffline("answers")) {
      // "Save", "Save and continue", a page number: the post that would save this page is queued.
      event.preventDefault();
      submitting = false;
      var to = /^page:(\d+)$/.exec(action);
      if (to) { showPage(parseInt(to[1], 10)); }
    }
  });
  window.addEventListener("beforeunload", function (e) {
    if (!submitting && (inFlight || (status && status.dataset.state === "retrying")) && navigator.onLine) { e.preventDefault(); e.returnValue = ""; }
  });

  var timer = document.querySelector("[data-timer]");
  if (timer) {
    var left = parseInt(timer.dataset.secondsLeft, 10);
    var value = timer.querySelector("[data-timer-value]");
    var endAt = Date.now() + left * 1000;
    var tick = function () {
      var s = Math.max(0, Math.round((endAt - Date.now()) / 1000));
      var m = Math.floor(s / 60), r = s % 60;
      value.textContent = m + ":" + (r < 10 ? "0" : "") + r;
      if (s <= 60) { timer.classList.add("timer-low"); }
      if (s === 0) {
        window.clearInterval(handle);
        timer.textContent = timer.dataset.expiredText;
        var submit = form.querySelector("[data-submit]");
        submitting = true;
        if (submit) { form.requestSubmit(submit); } else { form.submit(); }
      }
    };
    var handle = window.setInterval(tick, 1000);
    tick();
  }
})();
