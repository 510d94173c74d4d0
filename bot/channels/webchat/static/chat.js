// Web chat simulator: sends what the user types or taps to /api/chat and shows the replies.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var params = new URLSearchParams(window.location.search);
  // The server issues who this chat is: a signed token, kept here and sent back with every
  // request. Without one the next message starts a new chat and the answer carries it.
  var TOKEN_KEY = "jalur-aman-token";
  var token = localStorage.getItem(TOKEN_KEY);
  localStorage.removeItem("jalur-aman-user");  // id chosen by older pages; no longer used
  var ref = params.get("start") || params.get("ref");
  var seen = {};
  var queue = Promise.resolve();  // one message at a time, in order

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addUser(text) {
    var el = document.createElement("div");
    el.className = "msg user";
    el.textContent = text;
    log.appendChild(el);
    scrollDown();
  }

  function addReply(reply) {
    var el = document.createElement("div");
    el.className = "msg bot";
    el.dataset.key = reply.key;
    var parts = reply.text.split("\n\nSumber: ");
    el.appendChild(document.createTextNode(parts[0]));
    if (parts.length > 1) {
      var src = document.createElement("small");
      src.className = "source";
      src.textContent = "Sumber: " + parts.slice(1).join("\n\nSumber: ");
      el.appendChild(src);
    }
    if (reply.buttons && reply.buttons.length) {
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
          send({ button: b.payload });
        });
        box.appendChild(btn);
      });
      el.appendChild(box);
    }
    log.appendChild(el);
    scrollDown();
  }

  function addError(text) {
    var el = document.createElement("div");
    el.className = "msg error";
    el.setAttribute("role", "alert");
    el.textContent = text;
    log.appendChild(el);
    scrollDown();
  }

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

  function post(body) {
    return fetch("/api/chat", {
      method: "POST",
      headers: authHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify(body)
    });
  }

  function deliver(body) {
    if (ref) { body.ref = ref; ref = null; }
    body.id = messageId();
    return post(body).catch(function () {
      return post(body);  // one retry of a lost request: same id, answered once
    }).then(function (r) {
      if (r.status === 401 && token) {  // token no longer valid: start a new chat
        forgetToken();
        body.id = messageId();
        return post(body);
      }
      return r;
    }).then(function (r) {
      if (r.status === 503) { addHotlineLink(); throw new Error("unavailable"); }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      if (data.token) {
        token = data.token;
        localStorage.setItem(TOKEN_KEY, token);
      }
      (data.replies || []).forEach(addReply);
    }).catch(function (err) {
      if (err && err.message === "unavailable") { return; }
      addError("Pesan belum terkirim. Periksa sambungan lalu coba lagi.");
      addHotlineLink();
    });
  }

  function send(body) {
    queue = queue.then(function () { return deliver(body); });
    return queue;
  }

  // Messages pushed later (e.g. staff replies) for this chat's token.
  function poll() {
    if (!token) { return; }
    fetch("/api/chat/updates", { headers: authHeaders({}) }).then(function (r) {
      return r.ok ? r.json() : { replies: [] };
    }).then(function (data) {
      (data.replies || []).forEach(function (reply) {
        if (reply.id && seen[reply.id]) { return; }
        if (reply.id) { seen[reply.id] = true; }
        addReply(reply);
      });
    }).catch(function () {});
  }
  setInterval(poll, 3000);

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value;
    if (!text.trim()) { return; }
    input.value = "";
    addUser(text);
    send({ text: text });
  });

  if (!token) {  // a new chat: greet, which also brings this chat's token
    send({ text: "halo" }).then(function () { input.focus(); });
  }
})();
