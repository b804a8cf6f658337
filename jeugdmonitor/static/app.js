/* Jeugdmonitor browser runtime for `marimo run` (see jeugdmonitor/transport.py).
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
      this.release();
    }

    release() {
      if (this._result) {
        this._result.finalize();
        this._result = null;
      }
    }

    redraw() {
      this._generation = (this._generation || 0) + 1;
      var generation = this._generation;
      var self = this;
      this.removeAttribute("data-drawn");
      this.draw(generation).catch(function (err) {
        if (generation !== self._generation) return;
        self.textContent = "Grafiek kon niet worden getekend: " + err.message;
        self.classList.add("jm-chart-error");
      });
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
