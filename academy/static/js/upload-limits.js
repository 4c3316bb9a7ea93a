// File inputs with data-max-bytes / data-max-files: a file that is too large (or too many
// files) is named as soon as it is chosen, and the form cannot be sent until it is changed,
// so nothing typed is lost to a refused upload. The server checks the same limits.
(function () {
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var maxBytes = Number(input.dataset.maxBytes);
    var maxFiles = Number(input.dataset.maxFiles || 0);
    var note = document.createElement("p");
    note.className = "error";
    note.id = input.id + "-limit";
    note.setAttribute("aria-live", "polite");
    note.hidden = true;
    input.insertAdjacentElement("afterend", note);

    function check() {
      var problem = "";
      var files = Array.prototype.slice.call(input.files || []);
      if (maxFiles && files.length > maxFiles) {
        problem = input.dataset.tooMany;
      } else {
        var big = files.find(function (f) { return f.size > maxBytes; });
        if (big) problem = input.dataset.tooLarge.replace("{name}", big.name);
      }
      input.setCustomValidity(problem);
      note.textContent = problem;
      note.hidden = !problem;
      if (problem) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }

    input.addEventListener("change", check);
    check();
  });
})();
