// Enhancement only: "Mark as complete" updates the page without a reload.
// Without JavaScript the form posts and the server redirects to the next lesson.
document.querySelectorAll("form[data-progress-form]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var bar = document.querySelector(".lesson-actions progress");
        var text = document.querySelector(".lesson-actions .progress-text");
        if (bar) { bar.value = data.progress_percent; }
        if (text) { text.textContent = data.progress_percent_text; }
        var done = document.createElement("p");
        done.className = "status status-completed";
        done.setAttribute("role", "status");
        done.textContent = "\u2713 " + data.message;
        form.replaceWith(done);
      })
      .catch(function (err) {
        // No connection: keep it on this device, sent when the connection returns (offline.js).
        var offline = window.academyOffline;
        var m = form.action.match(/\/learn\/([^/]+)\/([^/]+)\/([^/]+)\/complete$/);
        if (offline && m && offline.isNetworkError(err)) {
          offline.queue({ type: "complete", course: decodeURIComponent(m[1]), module: decodeURIComponent(m[2]),
                          lesson: decodeURIComponent(m[3]) }).then(function () {
            var done = document.createElement("p");
            done.className = "status status-completed";
            done.setAttribute("role", "status");
            done.textContent = "\u2713 " + offline.queuedText();
            form.replaceWith(done);
          });
          return;
        }
        form.submit();
      });
  });
});
