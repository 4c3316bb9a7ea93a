// Enhancement only: show just the TISCs of the chosen country. Without JavaScript the
// list stays grouped by country and the server checks the pair.
(function () {
  var country = document.getElementById("country_code");
  var tisc = document.getElementById("tisc_id");
  if (!country || !tisc) { return; }
  function filter() {
    var chosen = country.options[country.selectedIndex] ? country.options[country.selectedIndex].text : "";
    Array.prototype.forEach.call(tisc.querySelectorAll("optgroup"), function (group) {
      var show = group.label === chosen;
      group.hidden = !show;
      group.disabled = !show;
    });
    var selected = tisc.options[tisc.selectedIndex];
    if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) {
      tisc.value = "";
    }
  }
  country.addEventListener("change", filter);
  filter();
})();
