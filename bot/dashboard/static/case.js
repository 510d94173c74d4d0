// Case page: choosing a canned reply fills the reply box (still editable before sending).
(function () {
  "use strict";
  var select = document.getElementById("canned");
  var body = document.getElementById("body");
  if (!select || !body) { return; }
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    if (option && option.dataset.text) { body.value = option.dataset.text; body.focus(); }
  });
})();
