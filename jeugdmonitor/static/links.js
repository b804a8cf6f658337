/* Jeugdmonitor: links inside the page, in the app and in the reports.
 *
 * 1. A link to an anchor of the page ('#jeugdzorg': "Wat valt op", the section headings) scrolls
 *    there and keeps the address: marimo's page has a <base href> without the query, so the
 *    browser would otherwise open '/#jeugdzorg' and lose '?region=…'.
 * 2. A wijk map's chosen wijk (outlined, always named; jeugdmonitor/present/wijk_map.py) is a Vega signal
 *    bound to the <select name="wijk"> under the map. jmWijk(code) chooses a wijk there: a click
 *    on a wijk in the map calls it (app.js, the report's charts), and so does a click on a wijk's
 *    name in a table (a link '#wijk-CODE'), which also brings the map into view and puts the
 *    focus on the select.
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
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (id.indexOf("wijk-") === 0 && window.jmWijk(id.slice("wijk-".length), true)) {
      event.preventDefault();
      return;
    }
    var target = id && document.getElementById(id);
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "start" });
    history.replaceState(history.state, "", location.pathname + location.search + "#" + id);
  });
})();
