// Web chat simulator: sends what the user types or taps to /api/chat and shows the replies.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var params = new URLSearchParams(window.location.search);
  var userId = params.get("user") || localStorage.getItem("jalur-aman-user");
  if (!userId) {
    userId = "web-" + Math.random().toString(36).slice(2, 12);
  }
  localStorage.setItem("jalur-aman-user", userId);
  var ref = params.get("start") || params.get("ref");
  var seen = {};

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

  function send(body) {
    body.user = userId;
    if (ref) { body.ref = ref; ref = null; }
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      (data.replies || []).forEach(addReply);
    }).catch(function () {
      addError("Pesan belum terkirim. Periksa sambungan lalu coba lagi.");
    });
  }

  // Messages pushed later (e.g. staff replies), if the server offers them.
  function poll() {
    fetch("/api/chat/updates?user=" + encodeURIComponent(userId)).then(function (r) {
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

  if (!localStorage.getItem("jalur-aman-started-" + userId)) {
    localStorage.setItem("jalur-aman-started-" + userId, "1");
    send({ text: "halo" }).then(function () { input.focus(); });
  }
})();
