// Evidence files in chunks that survive a dropped connection. Enhancement only: without
// JavaScript (or without fetch/File.slice) the form posts its files in one request as before.
// With it, each chosen file is sent ahead in 256 kB chunks (Content-Range); after a failure
// the script asks the server how much it holds and goes on from there. When every file is
// complete, the form is posted with their upload tokens instead of the files: only then do
// they become part of the submission.
(function () {
  "use strict";
  var CHUNK = 256 * 1024;
  var form = document.querySelector("form[data-resumable-upload]");
  if (!form || !window.fetch || !window.Blob || !Blob.prototype.slice) { return; }
  var input = form.querySelector("input[type=file]");
  var box = form.querySelector("[data-upload-progress]");
  var bar = box && box.querySelector("progress"), label = box && box.querySelector("[role=status]");
  var csrf = form.querySelector("input[name=csrf_token]");
  var ready = false;

  function fill(text, values) {
    return Object.keys(values).reduce(function (t, k) { return t.split("{" + k + "}").join(values[k]); }, text || "");
  }
  function sleep(ms) { return new Promise(function (r) { window.setTimeout(r, ms); }); }
  function say(text) { if (label) { label.textContent = text; } }
  function headers(extra) {
    var h = { "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : "" };
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }
  function memoKey(file) { return "academy-upload:" + form.dataset.uploadUrl + ":" + file.name + ":" + file.size + ":" + file.lastModified; }

  function start(file) {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(memoKey(file)) || "null"); } catch (e) { saved = null; }
    var fresh = function () {
      return fetch(form.dataset.uploadUrl, {
        method: "POST", credentials: "same-origin", headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({ filename: file.name, size: file.size })
      }).then(function (r) {
        return r.json().then(function (b) { if (r.status !== 201) { throw new Error(b.error || r.status); } return b; });
      }).then(function (b) {
        try { localStorage.setItem(memoKey(file), JSON.stringify({ url: b.url, token: b.token })); } catch (e) { /* ok */ }
        return { url: b.url, token: b.token, offset: 0 };
      });
    };
    if (!saved) { return fresh(); }
    // Chosen again after a reload: go on with the bytes the server already holds.
    return fetch(saved.url, { credentials: "same-origin", headers: headers(), cache: "no-store" }).then(function (r) {
      if (!r.ok) { return fresh(); }
      return r.json().then(function (b) { return { url: saved.url, token: saved.token, offset: b.offset }; });
    }, fresh);
  }

  function send(file, upload, done, total) {
    var attempt = 0;
    function step(offset) {
      if (bar) { bar.value = Math.round(100 * (done + offset) / total); }
      say(fill(form.dataset.uploading, { name: file.name, percent: Math.round(100 * (done + offset) / total) + " %" }));
      if (offset >= file.size) { return Promise.resolve(upload.token); }
      var end = Math.min(offset + CHUNK, file.size);
      return fetch(upload.url, {
        method: "PUT", credentials: "same-origin", body: file.slice(offset, end),
        headers: headers({ "Content-Type": "application/offset+octet-stream",
                           "Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + file.size })
      }).then(function (r) {
        return r.json().then(function (b) {
          if (r.status === 200 || r.status === 409) { attempt = 0; return step(b.offset); }
          var err = new Error(b.error || r.status); err.fatal = true; throw err;
        });
      }).catch(function (err) {
        if (err.fatal || attempt > 50) { throw err; }
        attempt += 1;
        say(fill(form.dataset.resuming, { name: file.name }));
        return sleep(Math.min(1000 * attempt, 10000)).then(function () {
          return fetch(upload.url, { credentials: "same-origin", headers: headers(), cache: "no-store" })
            .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
            .then(function (b) { return step(b.offset); }, function () { return step(offset); });
        });
      });
    }
    return step(upload.offset);
  }

  form.addEventListener("submit", function (event) {
    if (ready || !input || !input.files || !input.files.length || !input.checkValidity()) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    var files = Array.prototype.slice.call(input.files);
    var total = files.reduce(function (s, f) { return s + f.size; }, 0), done = 0, tokens = [];
    if (box) { box.hidden = false; }
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    files.reduce(function (p, file) {
      return p.then(function () {
        return start(file).then(function (upload) { return send(file, upload, done, total); }).then(function (token) {
          tokens.push(token); done += file.size;
          try { localStorage.removeItem(memoKey(file)); } catch (e) { /* ok */ }
          say(fill(form.dataset.uploaded, { name: file.name }));
        }).catch(function (err) {
          var e = new Error(fill(form.dataset.uploadFailed, { name: file.name, reason: err.message })); e.shown = true; throw e;
        });
      });
    }, Promise.resolve()).then(function () {
      tokens.forEach(function (t) {
        var h = document.createElement("input");
        h.type = "hidden"; h.name = "upload_token"; h.value = t;
        form.appendChild(h);
      });
      input.value = "";
      ready = true;
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
    }).catch(function (err) {
      say(err.message);
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  });
})();
