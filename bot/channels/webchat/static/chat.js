// Web chat: sends what the user types, taps or attaches to the server and shows the
// replies; a returning user's conversation is restored from the server.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var fileInput = document.getElementById("file");
  var attach = document.getElementById("attach");
  var restart = document.getElementById("restart");
  var params = new URLSearchParams(window.location.search);
  // The server issues who this chat is: a signed token, kept here and sent back with every
  // request. Without one the next message starts a new chat and the answer carries it.
  var TOKEN_KEY = "jalur-aman-token";
  var MAX_BYTES = 10 * 1024 * 1024;
  var token = localStorage.getItem(TOKEN_KEY);
  localStorage.removeItem("jalur-aman-user");  // id chosen by older pages; no longer used
  var ref = params.get("start") || params.get("ref");
  var seen = {};
  var queue = Promise.resolve();  // one message at a time, in order
  var TEXT = {
    failed: "Pesan belum terkirim. Periksa sambungan lalu coba lagi.",
    tooLarge: "Berkas terlalu besar. Kirim foto atau PDF paling besar 10 MB.",
    badType: "Berkas ini tidak bisa dikirim. Kirim foto (JPG, PNG, WebP, GIF) atau PDF.",
    restored: "Percakapan sebelumnya",
    confirmRestart: "Mulai percakapan baru? Percakapan ini tidak akan tampil lagi di layar ini.",
    staff: "Petugas BP3MI",
    photo: "Foto",
    document: "Dokumen"
  };

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function bubble(cls) {
    var el = document.createElement("div");
    el.className = "msg " + cls;
    log.appendChild(el);
    return el;
  }

  function addUser(text) {
    bubble("user").textContent = text;
    scrollDown();
  }

  function sizeLabel(bytes) {
    return bytes >= 1024 * 1024 ? (bytes / 1048576).toFixed(1) + " MB"
      : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function fileLabel(file) {
    var pdf = (file.type || file.mime) === "application/pdf" || /\.pdf$/i.test(file.name || "");
    var kind = pdf ? TEXT.document : TEXT.photo;
    return kind + ": " + (file.name || "") + " (" + sizeLabel(file.size || 0) + ")";
  }

  function addSaid(said) {
    if (said.file) { addUser(fileLabel(said.file) + (said.text ? "\n" + said.text : "")); }
    else if (said.text) { addUser(said.text); }
  }

  function addReply(reply, opts) {
    opts = opts || {};
    var el = bubble(opts.staff ? "bot staff" : "bot");
    el.dataset.key = reply.key;
    if (opts.staff) {
      var who = document.createElement("strong");
      who.className = "who";
      who.textContent = TEXT.staff;
      el.appendChild(who);
    }
    var parts = reply.text.split("\n\nSumber: ");
    el.appendChild(document.createTextNode(parts[0]));
    if (parts.length > 1) {
      var src = document.createElement("small");
      src.className = "source";
      src.textContent = "Sumber: " + parts.slice(1).join("\n\nSumber: ");
      el.appendChild(src);
    }
    if (!opts.noButtons && reply.buttons && reply.buttons.length) {
      var box = document.createElement("div");
      box.className = "buttons";
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Pilihan");
      reply.buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.dataset.payload = b.payload;
        btn.addEventListener("click", function () {
          addUser(b.title);
          send({ button: b.payload, title: b.title });
        });
        box.appendChild(btn);
      });
      el.appendChild(box);
    }
    scrollDown();
  }

  function addNote(text, cls) {
    var el = document.createElement("div");
    el.className = cls || "note";
    if (cls) { el.className = "msg " + cls; el.setAttribute("role", "alert"); }
    el.textContent = text;
    log.appendChild(el);
    scrollDown();
  }

  function addError(text) { addNote(text, "error"); }

  function authHeaders(headers) {
    if (token) { headers.Authorization = "Bearer " + token; }
    return headers;
  }

  function forgetToken() {
    token = null;
    localStorage.removeItem(TOKEN_KEY);
  }

  // Every message carries its own id: a retry after a lost answer is answered once.
  var counter = 0;
  function messageId() {
    counter += 1;
    var random = (window.crypto && window.crypto.getRandomValues)
      ? Array.prototype.map.call(window.crypto.getRandomValues(new Uint32Array(2)),
          function (n) { return n.toString(36); }).join("")
      : Math.random().toString(36).slice(2);
    return "m" + Date.now().toString(36) + "-" + random + "-" + counter;
  }

  function addHotlineLink() {
    var el = document.createElement("div");
    el.className = "msg error";
    el.setAttribute("role", "alert");
    el.appendChild(document.createTextNode("Layanan sedang terganggu. Dalam bahaya? "));
    var link = document.createElement("a");
    link.href = "/darurat";
    link.textContent = "Lihat nomor darurat";
    el.appendChild(link);
    log.appendChild(el);
    scrollDown();
  }

  function keepToken(data) {
    if (data && data.token) {
      token = data.token;
      localStorage.setItem(TOKEN_KEY, token);
    }
  }

  function post(url, makeBody, json) {
    var headers = json ? { "Content-Type": "application/json" } : {};
    return fetch(url, { method: "POST", headers: authHeaders(headers), body: makeBody() });
  }

  // Post (a lost request once more when `renew` is given: the same message id is answered
  // once; again without the token when the server no longer knows it), show the replies.
  function deliver(url, makeBody, json, renew) {
    return post(url, makeBody, json).catch(function (err) {
      if (!renew) { throw err; }  // an upload is not sent twice
      return post(url, makeBody, json);
    }).then(function (r) {
      if (r.status === 401 && token) {  // token no longer valid: start a new chat
        forgetToken();
        if (renew) { renew(); }
        return post(url, makeBody, json);
      }
      return r;
    }).then(function (r) {
      if (r.status === 503) { addHotlineLink(); throw new Error("unavailable"); }
      if (r.status === 413) { throw new Error("tooLarge"); }
      if (r.status === 415) { throw new Error("badType"); }
      if (!r.ok) { throw new Error("failed"); }
      return r.json();
    }).then(function (data) {
      keepToken(data);
      (data.replies || []).forEach(function (reply) { addReply(reply); });
    }).catch(function (err) {
      var reason = err && err.message;
      if (reason === "unavailable") { return; }
      addError(TEXT[reason] || TEXT.failed);
      if (!TEXT[reason]) { addHotlineLink(); }
    });
  }

  function send(body) {
    if (ref) { body.ref = ref; ref = null; }
    body.id = messageId();
    queue = queue.then(function () {
      return deliver("/api/chat", function () { return JSON.stringify(body); }, true,
                     function () { body.id = messageId(); });
    });
    return queue;
  }

  function sendFile(file, caption) {
    if (file.size > MAX_BYTES) { addError(TEXT.tooLarge); return queue; }
    addUser(fileLabel(file) + (caption ? "\n" + caption : ""));
    queue = queue.then(function () {
      return deliver("/api/chat/upload", function () {
        var data = new FormData();
        data.append("file", file, file.name);
        if (caption) { data.append("caption", caption); }
        return data;
      }, false);
    });
    return queue;
  }

  // Messages pushed later (staff replies) for this chat's token.
  function addPushed(reply) {
    if (reply.id && seen[reply.id]) { return; }
    if (reply.id) { seen[reply.id] = true; }
    addReply(reply, { staff: true });
  }

  function poll() {
    if (!token) { return; }
    fetch("/api/chat/updates", { headers: authHeaders({}) }).then(function (r) {
      return r.ok ? r.json() : { replies: [] };
    }).then(function (data) {
      (data.replies || []).forEach(addPushed);
    }).catch(function () {});
  }
  setInterval(poll, 3000);

  // A returning user: their last turns and staff replies, as the server kept them. Only
  // the newest reply keeps its buttons (older choices no longer apply).
  function restore() {
    return fetch("/api/chat/history", { headers: authHeaders({}) }).then(function (r) {
      if (r.status === 401) { forgetToken(); return { entries: [] }; }
      if (!r.ok) { throw new Error("failed"); }
      return r.json();
    }).then(function (data) {
      var entries = data.entries || [];
      if (!entries.length) { return false; }
      addNote(TEXT.restored);
      entries.forEach(function (entry, i) {
        var last = i === entries.length - 1;
        if (entry.pushed) {
          addPushed(Object.assign({ id: entry.id }, entry.pushed));
          return;
        }
        addSaid(entry.said || {});
        (entry.replies || []).forEach(function (reply, j) {
          addReply(reply, { noButtons: !(last && j === entry.replies.length - 1) });
        });
      });
      return true;
    });
  }

  function greet() {  // a new chat: greet, which also brings this chat's token
    return send({ text: "halo" });
  }

  function start() {
    var ready = token ? restore().catch(function () { return false; }) : Promise.resolve(false);
    return ready.then(function (restored) {
      return restored ? null : greet();
    }).then(function () {
      document.body.dataset.ready = "true";
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value;
    if (!text.trim()) { return; }
    input.value = "";
    addUser(text);
    send({ text: text });
  });

  attach.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) { return; }
    var caption = input.value.trim();
    input.value = "";
    fileInput.value = "";
    sendFile(file, caption);
  });

  restart.addEventListener("click", function () {
    if (!window.confirm(TEXT.confirmRestart)) { return; }
    forgetToken();
    seen = {};
    log.textContent = "";
    document.body.dataset.ready = "false";
    greet().then(function () {
      document.body.dataset.ready = "true";
      input.focus();
    });
  });

  start();
})();
