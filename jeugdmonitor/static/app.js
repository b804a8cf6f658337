/* Jeugdmonitor browser runtime for `marimo run` (see jeugdmonitor/app/transport.py).
 *
 * Loaded once per page, after vl-convert's Vega / Vega-Lite / vega-embed bundle. Defines:
 *   <jm-chart data-t="TEMPLATE_URL" data-p="JSON">  a chart: the template (fetched once, cached)
 *       filled with this render's data, JSON = {description, datasets, slots}: each template
 *       slot {"url":"jeugdmonitor:NAME"} is replaced by slots[NAME] (charts.Spec.payload_json);
 *   <jm-html data-u="URL" data-parts="PACKED">  a whole section's HTML, a published gzip file;
 *       the optional parts (a JSON list of HTML: this session's download buttons) go where the
 *       HTML has <!--jm-part-N-->;
 *   <jm-app data-regions="URL" data-tag="TAG">  once per page: the region code → dropdown label
 *       table, and the tag of this session's worker, which published files carry in their name.
 * A click on a region in a chart (a map shape, a point of the benchmark strip: any mark whose
 * datum has a `code`) chooses that region in the marimo dropdown, as if the user had picked it
 * there; the app then updates the page and the URL.
 *
 * What is seen is drawn first. A region change replaces every section at once (some 47 charts
 * on a gemeente's page); drawing them all in one go kept the page from responding for over a
 * second. A chart therefore waits in a queue: charts in or near the window are drawn first, as
 * the next task, and the others in idle time, a few per short turn (~30 ms), so no task on the
 * main thread is long and the rest of the page is ready by the time the reader scrolls to it. Until it is drawn a chart
 * keeps the height it had (or a default), so the page does not jump. Printing (`beforeprint`,
 * or print media) draws every chart at once; `window.jmDrawAll()` does too and says when done.
 */
(function () {
  "use strict";
  if (!window.customElements || window.customElements.get("jm-chart")) return;

  var SLOT = "jeugdmonitor:"; // charts.SLOT
  var texts = new Map();
  var regionsUrl = null;
  var workerTag = ""; // published files are stored as jm<tag>-…: the worker of this session
  var appSeen;
  var appReady = new Promise(function (resolve) {
    appSeen = resolve;
  });

  // a published file from this session's worker (its tag added to the name), once per URL:
  // `cache` maps the URL to the pending body (`read` of the response); a failed one is dropped
  // so a later render may try again
  function fetchPublished(url, cache, read) {
    url = new URL(url, document.baseURI).href;
    var pending = cache.get(url);
    if (!pending) {
      pending = appReady
        .then(function () {
          var tagged = url.replace(/(\/@file\/\d+-jm)-/, "$1" + workerTag + "-");
          return fetch(tagged, { credentials: "same-origin" });
        })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status + " voor " + url);
          return read(response);
        });
      pending.catch(function () {
        cache.delete(url);
      });
      cache.set(url, pending);
    }
    return pending;
  }

  function fetchText(url) {
    return fetchPublished(url, texts, function (response) {
      return response.text();
    });
  }

  // Vega loads chart data (maps, map tables) through this loader: one request per URL per
  // page, shared by every chart that uses it, even when they ask at the same time
  var loader = {
    load: function (uri) {
      return fetchText(new URL(uri, document.baseURI).href);
    },
    sanitize: function (uri) {
      return Promise.resolve({ href: uri });
    },
    http: function (uri) {
      return loader.load(uri);
    },
    file: function () {
      return Promise.reject(new Error("geen bestanden"));
    },
  };

  function gunzip(blob) {
    var stream = blob.stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  function unpack(b64) {
    var bytes = Uint8Array.from(atob(b64), function (c) {
      return c.charCodeAt(0);
    });
    return gunzip(new Blob([bytes]));
  }

  // a published gzip file (a section's HTML); the last few are kept compressed, so a section
  // drawn again is not fetched again
  var packedFiles = new Map();
  function fetchPacked(url) {
    var pending = fetchPublished(url, packedFiles, function (response) {
      return response.blob();
    });
    if (packedFiles.size > 64) packedFiles.delete(packedFiles.keys().next().value);
    return pending.then(gunzip);
  }

  function fill(template, payload) {
    var body = template;
    Object.keys(payload.slots).forEach(function (name) {
      body = body.split('{"url":"' + SLOT + name + '"}').join(JSON.stringify(payload.slots[name]));
    });
    var spec = JSON.parse(body);
    spec.description = payload.description;
    spec.datasets = payload.datasets;
    return spec;
  }

  // ---------------------------------------------------------------- click to choose a region

  function codeOf(item) {
    for (var it = item; it; it = it.mark && it.mark.group) {
      var datum = it.datum;
      if (datum && typeof datum.code === "string" && datum.code) return datum.code;
    }
    return null;
  }

  function dropdownWith(label) {
    var found = null;
    document.querySelectorAll("marimo-dropdown").forEach(function (el) {
      if (found) return;
      try {
        if (JSON.parse(el.getAttribute("data-options") || "[]").indexOf(label) >= 0) found = el;
      } catch (e) {
        /* not a region dropdown */
      }
    });
    return found;
  }

  function chooseRegion(code) {
    if (!regionsUrl || new URLSearchParams(window.location.search).get("region") === code) {
      return Promise.resolve(false);
    }
    return fetchText(regionsUrl).then(function (text) {
      var label = JSON.parse(text)[code];
      var dropdown = label && dropdownWith(label);
      if (!dropdown) return false;
      // marimo's own events, as when the user picks the option: the input event makes the UI
      // element send the value to the kernel; the update event makes the dropdown show it
      var detail = { value: [label], element: dropdown };
      ["marimo-value-input", "marimo-value-update"].forEach(function (type) {
        dropdown.dispatchEvent(
          new CustomEvent(type, { bubbles: type === "marimo-value-input", composed: true, detail: detail })
        );
      });
      return true;
    });
  }
  window.jmChooseRegion = chooseRegion; // for tests and the console
  window.jmFillSpec = fill;

  // ------------------------------------------------------------ drawing: what is seen first

  var DEFAULT_HEIGHT = 320; // px held for a chart whose height is not known yet
  var NEAR = "50%"; // a chart within half a window above or below it counts as near
  var waiting = new Set(); // charts waiting to be drawn
  var near = new Set(); // … of which in or near the window
  var heights = new Map(); // chart slot (section, template, position) → last drawn height
  var observers = new Map(); // scrolling box → its IntersectionObserver
  var nextTask =
    window.scheduler && window.scheduler.postTask
      ? function (f) {
          window.scheduler.postTask(f, { priority: "user-visible" });
        }
      : function (f) {
          setTimeout(f, 0);
        };
  var idle =
    window.requestIdleCallback ||
    function (f) {
      setTimeout(f, 50);
    };

  var style = document.createElement("style");
  style.textContent = "jm-chart { display: block; }";
  (document.head || document.documentElement).appendChild(style);

  // the box that scrolls the chart (marimo's page scrolls in an element, a report in the
  // window): the margin of an observer only widens its own box. Looked up once per section
  // (styles are read, so not once per chart)
  function scrollingBox(el) {
    var host = el.closest("jm-html") || el;
    if (host._jmBox !== undefined && host._jmBox !== null && host._jmBox.isConnected) {
      return host._jmBox;
    }
    var box = null;
    for (var it = host.parentElement; it && it !== document.body; it = it.parentElement) {
      var overflow = getComputedStyle(it).overflowY;
      if (overflow === "auto" || overflow === "scroll") {
        box = it;
        break;
      }
    }
    host._jmBox = box;
    return box;
  }

  // a drawn chart's height, noted after layout (never forcing one) for its slot
  var sizes = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          var chart = entry.target;
          var height = entry.contentRect.height;
          if (chart.hasAttribute("data-drawn") && height > 0 && chart._slot) {
            heights.set(chart._slot, Math.round(height));
          }
        });
      })
    : null;

  function observerFor(el) {
    var box = scrollingBox(el);
    var observer = observers.get(box);
    if (!observer) {
      observer = new IntersectionObserver(
        function (entries) {
          entries.forEach(function (entry) {
            if (!waiting.has(entry.target)) return;
            if (entry.isIntersecting) near.add(entry.target);
            else near.delete(entry.target);
          });
          pump();
        },
        { root: box, rootMargin: NEAR + " 0px " + NEAR + " 0px" }
      );
      observers.set(box, observer);
    }
    return observer;
  }

  // where a chart stands on the page, so a chart drawn there again keeps its place's height
  function slot(chart) {
    var host = chart.closest("jm-html");
    if (!host) return null;
    var same = host.querySelectorAll("jm-chart");
    var index = Array.prototype.indexOf.call(same, chart);
    var hosts = document.getElementsByTagName("jm-html");
    return Array.prototype.indexOf.call(hosts, host) + "/" + index + "/" + chart.dataset.t;
  }

  // a waiting chart's template and the data files it names are fetched at once (cheap, kept):
  // so when the page is printed, every chart can be drawn without waiting for the network
  var DATA_URL = /\.\/@file\/\d+-jm-[0-9a-f]+\.json/g;
  function prefetch(chart) {
    var payload = chart.dataset.p || "";
    fetchText(chart.dataset.t)
      .then(function (template) {
        (template + payload).replace(DATA_URL, function (url) {
          fetchText(url).catch(function () {});
          return url;
        });
      })
      .catch(function () {});
  }

  function enqueue(chart) {
    prefetch(chart);
    chart._slot = slot(chart);
    chart.style.minHeight = (heights.get(chart._slot) || DEFAULT_HEIGHT) + "px";
    if (sizes) sizes.observe(chart);
    waiting.add(chart);
    chart._observer = observerFor(chart);
    chart._observer.observe(chart);
    pump();
  }

  function dequeue(chart) {
    waiting.delete(chart);
    near.delete(chart);
    if (chart._observer) chart._observer.unobserve(chart);
    chart._observer = null;
  }

  // the next chart: the highest one near the window, else (in idle time) the first waiting
  function pick(nearOnly) {
    var best = null;
    var from = nearOnly ? near : waiting;
    from.forEach(function (chart) {
      if (!chart.isConnected) return dequeue(chart);
      if (!best || best.compareDocumentPosition(chart) & Node.DOCUMENT_POSITION_PRECEDING) {
        best = chart;
      }
    });
    return best;
  }

  // one turn: draw charts (nearest first) while the turn lasts less than BUDGET ms; a chart
  // whose data is at hand draws within the same task, so a turn is one short task and one
  // layout of the page for several charts. Charts near the window get a turn as the next
  // task; the others only in idle time (`requestIdleCallback`), never delaying the near ones.
  var BUDGET = 30;
  var running = false;
  var soonPlanned = false;
  var idlePlanned = false;

  function pump() {
    if (running || !waiting.size) return;
    if (near.size && !soonPlanned) {
      soonPlanned = true;
      nextTask(function () {
        soonPlanned = false;
        turn(true);
      });
    } else if (!near.size && !idlePlanned) {
      idlePlanned = true;
      idle(
        function (deadline) {
          idlePlanned = false;
          turn(false, deadline);
        },
        { timeout: 1000 }
      );
    }
  }

  function turn(urgent, deadline) {
    if (running) return;
    running = true;
    var start = performance.now();
    var first = true;
    var more = function () {
      var elapsed = performance.now() - start;
      var left = deadline && deadline.timeRemaining ? deadline.timeRemaining() : BUDGET;
      var chart = null;
      if (first || (elapsed < BUDGET && left > 0)) chart = pick(true) || (urgent ? null : pick(false));
      first = false;
      if (!chart) {
        running = false;
        return pump();
      }
      dequeue(chart);
      chart.drawNow().then(more, more);
    };
    more();
  }

  // every waiting chart at once (printing, a report being saved, tests): resolves when drawn
  function drawAll() {
    var all = [];
    waiting.forEach(function (chart) {
      dequeue(chart);
      if (chart.isConnected) all.push(chart.drawNow());
    });
    document.querySelectorAll("jm-chart").forEach(function (chart) {
      if (chart._drawing) all.push(chart._drawing);
    });
    return Promise.all(all).then(function () {
      return document.querySelectorAll("jm-chart:not([data-drawn])").length === 0;
    });
  }
  window.jmDrawAll = drawAll;
  window.addEventListener("beforeprint", drawAll);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var onPrint = function (event) {
      if (event.matches) drawAll();
    };
    if (print.addEventListener) print.addEventListener("change", onPrint);
    else if (print.addListener) print.addListener(onPrint);
  }

  // a table behind its toggle arrives as an inert <template> (`transport.lazy_tables`): it is
  // made when the toggle is first opened, so a region change does not build every table
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details.open || !details.querySelector) return;
      var lazy = details.querySelector(":scope > template.jm-lazy");
      if (lazy) lazy.replaceWith(lazy.content);
    },
    true
  );

  // ------------------------------------------------------------------------------- elements

  // React reuses an element when a cell's new output has one in the same place and only
  // changes its attributes: so both elements redraw when their data attributes change.
  class JmChart extends HTMLElement {
    static get observedAttributes() {
      return ["data-t", "data-p"];
    }

    connectedCallback() {
      this.redraw();
    }

    attributeChangedCallback() {
      if (this.isConnected) this.redraw();
    }

    disconnectedCallback() {
      this._generation = (this._generation || 0) + 1;
      dequeue(this);
      if (sizes) sizes.unobserve(this);
      this.release();
    }

    release() {
      if (this._result) {
        this._result.finalize();
        this._result = null;
      }
    }

    // new data: wait for a turn (`pump`) to draw it
    redraw() {
      this._generation = (this._generation || 0) + 1;
      this.removeAttribute("data-drawn");
      enqueue(this);
    }

    // draw now; resolves when drawn (or failed: the chart then says so)
    drawNow() {
      var generation = this._generation;
      var self = this;
      this._drawing = this.draw(generation)
        .catch(function (err) {
          if (generation !== self._generation) return;
          self.textContent = "Grafiek kon niet worden getekend: " + err.message;
          self.classList.add("jm-chart-error");
        })
        .then(function () {
          self._drawing = null;
        });
      return this._drawing;
    }

    async draw(generation) {
      var template = await fetchText(this.dataset.t);
      if (generation !== this._generation) return;
      var spec = fill(template, JSON.parse(this.dataset.p));
      var holder = document.createElement("div");
      this.release();
      this.classList.remove("jm-chart-error");
      this.replaceChildren(holder);
      // the spec's usermeta.embedOptions (Dutch number format, export menu) apply as well
      var result = await window.vegaEmbed(holder, spec, { renderer: "svg", loader: loader });
      if (generation !== this._generation) {
        result.finalize();
        return;
      }
      this._result = result;
      // Vega gives an empty mark layer (e.g. no selected member in a radar) the role of an
      // image without a name; it shows nothing, so screen readers skip it (WCAG 1.1.1), as in
      // the report
      holder.querySelectorAll('g[role="graphics-symbol"]:empty').forEach(function (g) {
        g.removeAttribute("role");
        g.setAttribute("aria-hidden", "true");
      });
      result.view.addEventListener("click", function (event, item) {
        var code = codeOf(item);
        if (!code) return;
        chooseRegion(code).then(function (chosen) {
          if (!chosen && window.jmWijk) window.jmWijk(code); // a wijk on its map (links.js)
        });
      });
      result.view.addEventListener("mousemove", function (event, item) {
        holder.style.cursor = codeOf(item) ? "pointer" : "";
      });
      this.setAttribute("data-drawn", "");
      this.style.minHeight = "";
    }
  }

  class JmHtml extends HTMLElement {
    static get observedAttributes() {
      return ["data-u", "data-parts"];
    }

    connectedCallback() {
      if (this._shown !== this.dataset.u + "|" + this.dataset.parts) this.show();
    }

    attributeChangedCallback() {
      if (this.isConnected) this.show();
    }

    show() {
      var key = this.dataset.u + "|" + this.dataset.parts;
      this._shown = key;
      var self = this;
      var parts = this.dataset.parts;
      Promise.all([fetchPacked(this.dataset.u), parts ? unpack(parts).then(JSON.parse) : []])
        .then(function (unpacked) {
          if (self._shown !== key) return; // newer data arrived meanwhile
          var list = unpacked[1];
          self.innerHTML = unpacked[0].replace(/<!--jm-part-(\d+)-->/g, function (m, i) {
            return list[Number(i)] || "";
          });
          self.setAttribute("data-shown", "");
        })
        .catch(function (err) {
          if (self._shown !== key) return;
          self._shown = null;
          self.textContent = "Kon dit deel niet tonen: " + err.message;
        });
    }
  }

  class JmApp extends HTMLElement {
    connectedCallback() {
      workerTag = this.dataset.tag || "";
      regionsUrl = this.dataset.regions || regionsUrl;
      appSeen();
      // what every gemeente's page uses (templates, the gemeente map and its tables): fetched
      // while the reader looks at the first page, so the first region change finds it cached
      var urls = (this.dataset.prefetch || "").split(" ").filter(Boolean);
      var idle = window.requestIdleCallback || function (f) { setTimeout(f, 200); };
      idle(function () {
        urls.forEach(function (url) {
          fetchText(url).catch(function () {});
        });
      });
    }
  }

  window.customElements.define("jm-chart", JmChart);
  window.customElements.define("jm-html", JmHtml);
  window.customElements.define("jm-app", JmApp);
})();
