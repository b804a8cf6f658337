/* Jeugdmonitor: choose a wijk on its map, in the app and in the reports (jeugdmonitor/wijk_map.py).
 *
 * A wijk map's chosen wijk (outlined, always named) is a Vega signal bound to the
 * <select name="wijk"> under the map. jmWijk(code) chooses a wijk there: a click on a wijk in the
 * map calls it (app.js, the report's charts), and so does a click on a wijk's name in a table
 * (a link '#wijk-CODE'), which also brings the map into view and puts the focus on the select.
 */
(function () {
  "use strict";
  if (window.jmWijk) return;

  function selectFor(code) {
    var found = null;
    document.querySelectorAll('select[name="wijk"]').forEach(function (select) {
      if (found) return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === code) {
          found = select;
          return;
        }
      }
    });
    return found;
  }

  window.jmWijk = function (code, show) {
    var select = selectFor(code);
    if (!select) return false;
    if (select.value !== code) {
      select.value = code;
      select.dispatchEvent(new Event("change")); // what Vega's binding listens to
    }
    if (show) {
      // the map holds the select (app), or the select follows the map (reports)
      var form = select.closest(".vega-bindings");
      var map = select.closest(".vega-embed") || (form && form.previousElementSibling) || select;
      map.scrollIntoView({ block: "center" });
      select.focus({ preventScroll: true });
    }
    return true;
  };

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#wijk-"]');
    if (!link) return;
    var code = decodeURIComponent(link.getAttribute("href").slice("#wijk-".length));
    if (window.jmWijk(code, true)) event.preventDefault();
  });
})();
