// Queue auto-refresh: polls the office's change stamp every 0.8 s and reloads the list when
// a complaint arrives or changes. Without JavaScript a <noscript> meta refresh does it.
(function () {
  "use strict";
  var box = document.getElementById("queue") || document.getElementById("case");
  if (!box || !window.fetch) { return; }
  var stamp = box.dataset.stamp;
  var url = box.dataset.stampUrl;
  function busy() {
    // never reload over text the handler is typing
    var fields = document.querySelectorAll("textarea, input[type=text], input:not([type])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value && fields[i].value.trim()) { return true; }
    }
    return false;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.stamp && data.stamp !== stamp) {
          if (busy()) {
            var note = document.getElementById("changed");
            if (note) { note.hidden = false; }
          } else {
            window.location.reload();
            return;
          }
        }
        window.setTimeout(poll, 800);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 800);
})();
