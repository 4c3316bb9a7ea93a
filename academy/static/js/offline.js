// Offline learning, as an enhancement: nothing here is needed with a connection and
// JavaScript off. It (1) keeps work done offline ("mark as complete", quiz answers, a quiz
// submit) in IndexedDB and sends it when the connection returns, in order, through /sync,
// which applies each action once by its key; (2) on the course home, keeps the course in a
// cache the service worker (/sw.js) serves from when there is no network.
(function () {
  "use strict";
  var DB_NAME = "academy-offline", STORE = "actions", PREFIX = "academy-course:", META = "academy-offline-meta";
  var status = document.querySelector("[data-sync-status]");
  var userId = document.body.dataset.syncUser || null;
  if (userId) { try { localStorage.setItem("academy-offline-user", userId); } catch (e) { /* private mode */ } }
  else { try { userId = localStorage.getItem("academy-offline-user"); } catch (e) { userId = null; } }

  function fill(text, values) {
    return Object.keys(values).reduce(function (t, k) { return t.split("{" + k + "}").join(values[k]); }, text || "");
  }
  function newKey() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- the queue (IndexedDB) --------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), store = t.objectStore(STORE), out = work(store);
        t.oncomplete = function () { db.close(); resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }
  function allEntries() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (r) { return r.user === userId; });
    });
  }
  function queue(action, group) {
    action.key = newKey();
    return tx("readwrite", function (store) {
      // Answers to the same quiz page replace the ones not yet sent: only the last counts.
      if (group) {
        store.openCursor().onsuccess = function (e) {
          var c = e.target.result;
          if (!c) { store.add({ user: userId, group: group, action: action, at: Date.now() }); return; }
          if (c.value.group === group && c.value.user === userId) { c.delete(); }
          c.continue();
        };
        return null;
      }
      return store.add({ user: userId, group: null, action: action, at: Date.now() });
    }).then(function () { show(); if (navigator.onLine) { flush(); } });
  }
  function removeIds(ids) {
    return tx("readwrite", function (store) { ids.forEach(function (id) { store.delete(id); }); });
  }

  // --- what the learner sees --------------------------------------------------------------
  var lastResult = "";
  function say(text) { if (!status) { return; } status.textContent = text; status.hidden = !text; }
  function show() {
    if (!status || !window.indexedDB) { return Promise.resolve(); }
    return allEntries().then(function (rows) {
      var parts = [];
      if (!navigator.onLine) { parts.push(status.dataset.offline); }
      if (rows.length) { parts.push(fill(status.dataset.waiting, { n: rows.length })); }
      if (lastResult) { parts.push(lastResult); }
      say(parts.join(" "));
      document.documentElement.classList.toggle("is-offline", !navigator.onLine);
    }).catch(function () { /* no IndexedDB (private mode): nothing queued */ });
  }

  // --- sending --------------------------------------------------------------------------------
  var flushing = false;
  function sendAll() {
    return allEntries().then(function (rows) {
      if (!rows.length) { return 0; }
      say(status ? status.dataset.syncing : "");
      var batch = rows.slice(0, 100);
      return fetch(status.dataset.tokenUrl, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (t) {
          return fetch(status.dataset.syncUrl, {
            method: "POST", credentials: "same-origin", cache: "no-store",
            headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": t.csrf_token },
            body: JSON.stringify({ user: userId, actions: batch.map(function (r) { return r.action; }) })
          });
        })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (body) {
          var byKey = {}, notes = [];
          (body.results || []).forEach(function (res) { byKey[res.key] = res; });
          var done = batch.filter(function (r) { return byKey[r.action.key]; });
          done.forEach(function (r) {
            var res = byKey[r.action.key];
            var late = ["late", "closed", "refused"].indexOf(res.status) >= 0;
            if (late && res.message && notes.indexOf(res.message) < 0) { notes.push(res.message); }
          });
          document.dispatchEvent(new CustomEvent("academy:synced", { detail: body.results }));
          return removeIds(done.map(function (r) { return r.id; })).then(function () {
            lastResult = [fill(status.dataset.synced, { n: done.length })].concat(notes).join(" ");
            if (channel) { channel.postMessage({ user: userId, text: lastResult }); }
            return rows.length > batch.length ? sendAll() : done.length;
          });
        });
    });
  }
  function flush() {
    if (!status || !status.dataset.syncUrl || !userId || flushing || !navigator.onLine || !window.indexedDB) {
      return Promise.resolve();
    }
    flushing = true;
    // One tab at a time sends (the server would apply a repeat once anyway).
    var run = function () { return sendAll(); };
    var p = navigator.locks ? navigator.locks.request("academy-sync", run) : run();
    return p.catch(function () { lastResult = status.dataset.failed; })
      .then(function () { flushing = false; return show(); });
  }

  // Every open tab says what was sent, whichever tab sent it.
  var channel = window.BroadcastChannel ? new BroadcastChannel("academy-sync") : null;
  if (channel) {
    channel.onmessage = function (e) { if (e.data && e.data.user === userId) { lastResult = e.data.text; show(); } };
  }

  window.academyOffline = {
    queue: queue,
    flush: flush,
    queuedText: function () { return status ? status.dataset.queued : ""; },
    isNetworkError: function (err) { return !navigator.onLine || (err && err.name === "TypeError"); }
  };
  window.addEventListener("online", function () { show(); flush(); });
  window.addEventListener("offline", show);
  show().then(flush);

  // --- "Mark as complete" on the offline copy: always through the queue -----------------------
  document.querySelectorAll("form[data-offline-action=complete]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var d = form.dataset;
      queue({ type: "complete", course: d.course, module: d.module, lesson: d.lesson }).then(function () {
        var p = document.createElement("p");
        p.className = "status status-completed";
        p.setAttribute("role", "status");
        p.textContent = "\u2713 " + window.academyOffline.queuedText();
        form.replaceWith(p);
      });
    });
  });

  // --- the course home: keep the course on this device ----------------------------------------
  var panel = document.querySelector("[data-offline-panel]");
  if (!panel) { return; }
  var state = panel.querySelector("[data-offline-state]");
  var saveBtn = panel.querySelector("[data-offline-save]"), removeBtn = panel.querySelector("[data-offline-remove]");
  var slug = panel.dataset.course, prefix = PREFIX + slug + ":";
  if (!("serviceWorker" in navigator) || !window.caches) { state.textContent = panel.dataset.unsupported; return; }

  function kept() {
    return caches.keys().then(function (names) {
      var mine = names.filter(function (n) { return n.indexOf(prefix) === 0; });
      if (!mine.length) { return null; }
      return caches.open(mine[0]).then(function (c) { return c.match(new URL(META, scope()).href); })
        .then(function (m) { return m ? m.json() : null; });
    });
  }
  function scope() { return new URL("./", new URL(panel.dataset.swUrl, location.href)).href; }
  function render(meta, note) {
    if (meta) {
      var mb = meta.bytes >= 1048576, lang = document.documentElement.lang || undefined, size;
      try {
        size = new Intl.NumberFormat(lang, { style: "unit", unit: mb ? "megabyte" : "kilobyte", unitDisplay: "short",
                                             maximumFractionDigits: mb ? 1 : 0 })
          .format(mb ? meta.bytes / 1048576 : Math.max(1, meta.bytes / 1024));
      } catch (e) { size = Math.round(meta.bytes / 1024) + " kB"; }
      state.textContent = [note || "", fill(panel.dataset.kept, { n: meta.count, size: size })].join(" ").trim();
    } else { state.textContent = panel.dataset.none; }
    saveBtn.hidden = !!meta; removeBtn.hidden = !meta;
  }
  // Each save or removal starts a new generation: a removal clicked while a copy is being
  // (re)made wins, and the copy half-made is thrown away instead of coming back afterwards.
  var generation = 0;
  function save() {
    saveBtn.disabled = true;
    var mine = ++generation;
    var newName = prefix + panel.dataset.token;
    return navigator.serviceWorker.register(panel.dataset.swUrl, { scope: scope() })
      .then(function () { return fetch(panel.dataset.packUrl, { credentials: "same-origin", cache: "no-store" }); })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (pack) {
        newName = prefix + pack.token;
        return caches.open(newName).then(function (cache) {
          var urls = pack.urls.slice(), done = 0, bytes = 0;
          function worker() {
            var url = urls.shift();
            if (!url) { return Promise.resolve(); }
            return fetch(url, { credentials: "same-origin", cache: "reload" }).then(function (r) {
              if (!r.ok) { throw new Error(url + " " + r.status); }
              return r.clone().blob().then(function (b) {
                bytes += b.size; done += 1;
                state.textContent = fill(panel.dataset.progress, { done: done, total: pack.urls.length });
                return cache.put(url, r);
              });
            }).then(worker);
          }
          return Promise.all([worker(), worker(), worker(), worker()]).then(function () {
            if (mine !== generation) { return caches.delete(newName).then(function () { return null; }); }
            var meta = { course: slug, token: pack.token, language: pack.language, pages: pack.pages,
                         count: pack.urls.length, bytes: bytes, saved_at: Date.now() };
            return cache.put(new URL(META, scope()).href, new Response(JSON.stringify(meta),
              { headers: { "Content-Type": "application/json" } })).then(function () { return meta; });
          });
        });
      })
      .then(function (meta) {
        if (!meta || mine !== generation) { return caches.delete(newName).then(function () { return null; }); }
        // Only now the old copy goes: a copy half-made never replaces a whole one.
        return caches.keys().then(function (names) {
          return Promise.all(names.filter(function (n) { return n.indexOf(prefix) === 0 && n !== newName; })
            .map(function (n) { return caches.delete(n); }));
        }).then(function () { return meta; });
      })
      .catch(function (err) {
        return caches.delete(newName).then(function () { state.textContent = panel.dataset.error; throw err; });
      })
      .finally(function () { saveBtn.disabled = false; });
  }
  function rendered(note) {
    return function (m) { if (m) { render(m, note); } else { kept().then(function (k) { render(k); }); } };
  }
  saveBtn.addEventListener("click", function () { save().then(rendered()).catch(function () {}); });
  removeBtn.addEventListener("click", function () {
    generation += 1;
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(prefix) === 0; }).map(function (n) { return caches.delete(n); }));
    }).then(function () { render(null); });
  });
  kept().then(function (meta) {
    render(meta);
    if (meta && meta.token !== panel.dataset.token && navigator.onLine) {
      save().then(rendered(panel.dataset.updated)).catch(function () {});
    }
  });
})();
