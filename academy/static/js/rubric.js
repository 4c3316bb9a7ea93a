// Shows the rubric total while the instructor picks levels; the server computes it again on save.
(function () {
  "use strict";
  var form = document.querySelector("form.grading");
  var out = document.querySelector(".rubric-total");
  if (!form || !out) { return; }
  var threshold = parseInt(out.getAttribute("data-threshold"), 10);
  var max = parseInt(out.getAttribute("data-max"), 10);
  var label = out.getAttribute("data-label");
  function update() {
    var total = 0;
    form.querySelectorAll("input[type=radio][data-points]:checked").forEach(function (input) {
      total += parseInt(input.getAttribute("data-points"), 10);
    });
    out.textContent = label + ": " + total + " / " + max + (total >= threshold ? " ✓" : "");
  }
  form.addEventListener("change", update);
  update();
})();
