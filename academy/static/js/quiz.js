// Enhancement only: without JavaScript every button posts the page and the server saves it.
// With it, answers save in the background as the learner changes them, the status line says
// "Saved" or "Not saved — retrying", and the timer counts down (the server still decides).
(function () {
  var form = document.querySelector("form[data-attempt-form]");
  if (!form) { return; }
  // Not form.action: the buttons named "action" shadow that property.
  var url = form.getAttribute("action");
  var status = document.querySelector("[data-save-status]");
  var pending = null, inFlight = false, dirty = false, retryDelay = 2000, submitting = false;

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
      .catch(function () {
        inFlight = false;
        say("retrying");
        pending = window.setTimeout(save, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      });
  }

  function schedule(delay) {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(save, delay);
  }

  form.addEventListener("change", function () { schedule(300); });
  form.addEventListener("input", function (e) { if (e.target.type === "text") { schedule(1200); } });
  form.addEventListener("submit", function () { submitting = true; if (pending) { window.clearTimeout(pending); } });
  window.addEventListener("beforeunload", function (e) {
    if (!submitting && (inFlight || (status && status.dataset.state === "retrying"))) { e.preventDefault(); e.returnValue = ""; }
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
