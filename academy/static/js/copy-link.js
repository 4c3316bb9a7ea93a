// "Copy link" buttons: shown only when the Clipboard API exists (the field stays selectable without JS).
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button.copy-link").forEach(function (button) {
    var field = document.getElementById(button.dataset.target);
    if (!field) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.dataset.done;
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () { field.select(); });
    });
  });
})();
