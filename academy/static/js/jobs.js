// Keeps a job's progress bar live (jobs/_progress.html): asks the job's JSON state every
// two seconds while it is queued or running. Without JavaScript the page has a refresh link.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-state]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-state");
  var refresh = box.querySelector("[data-job-refresh]");
  if (refresh) { refresh.hidden = true; }
  function show(state) {
    box.querySelector("[data-job-status]").textContent = state.status_title;
    var bar = box.querySelector("[data-job-progress]");
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    box.querySelector("[data-job-count]").textContent = state.total ? state.done + " / " + state.total : "";
    var download = box.querySelector("[data-job-download]");
    if (state.download_url) { download.hidden = false; download.querySelector("a").href = state.download_url; }
    var error = box.querySelector("[data-job-error]");
    if (state.error) { error.hidden = false; error.textContent = state.error; }
    return state.status === "done" || state.status === "failed";
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { if (refresh) { refresh.hidden = false; } return; }
        if (show(state)) { window.location.reload(); return; }  // the finished page: result, retry

        window.setTimeout(poll, 2000);
      })
      .catch(function () { if (refresh) { refresh.hidden = false; } });
  }
  window.setTimeout(poll, 1000);
})();
