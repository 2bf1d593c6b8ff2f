/* mmroute's interactive plan page: draws the JSON in #mm-data with Leaflet (no tiles, no
 * network). Classes read by the tests: mm-leg (one path per leg), mm-node (one per node),
 * mm-link (network links), mm-bar (timeline bars). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mm-data").textContent);
  var ext = data.extent; // lon_min, lon_max, lat_min, lat_max
  // crs "xy": a benchmark instance's plane (coordinates [y, x]), no basemap, no scale
  var planar = data.crs === "xy";
  var unit = data.unit || "TEU", entity = data.entity || "consignment";
  var map = L.map("mm-map", {zoomSnap: 0.25, preferCanvas: false, attributionControl: false,
    crs: planar ? L.CRS.Simple : L.CRS.EPSG3857, minZoom: planar ? -20 : undefined});
  map.fitBounds([[ext[2], ext[0]], [ext[3], ext[1]]]);
  map.createPane("mm-basemap").style.zIndex = 250;

  function latlngs(ring) { return ring.map(function (p) { return [p[1], p[0]]; }); }

  var overlays = {};
  if (data.basemap) {
    var bm = L.layerGroup();
    var opts = {pane: "mm-basemap", interactive: false};
    data.basemap.land.forEach(function (r) {
      L.polygon(latlngs(r), Object.assign({color: "#7a8b99", weight: 0.6, fillColor: "#f3f0e8",
        fillOpacity: 1, className: "mm-land"}, opts)).addTo(bm);
    });
    data.basemap.lakes.forEach(function (r) {
      L.polygon(latlngs(r), Object.assign({color: "#7a8b99", weight: 0.4, fillColor: "#dcebf5",
        fillOpacity: 1, className: "mm-lake"}, opts)).addTo(bm);
    });
    data.basemap.borders.forEach(function (r) {
      L.polyline(latlngs(r), Object.assign({color: "#9b8f80", weight: 0.8, dashArray: "3 2",
        className: "mm-border"}, opts)).addTo(bm);
    });
    bm.addTo(map);
    overlays["coastlines, borders"] = bm;
  }

  Object.keys(data.modes).forEach(function (mode) {
    var g = L.layerGroup();
    data.links.filter(function (lk) { return lk.mode === mode; }).forEach(function (lk) {
      L.polyline(lk.coords, {color: data.modes[mode], weight: 2, opacity: 0.45,
        className: "mm-link mm-mode-" + mode}).bindTooltip(lk.tip, {sticky: true}).addTo(g);
    });
    g.addTo(map);
    overlays["network: " + mode] = g;
  });

  data.itineraries.forEach(function (it, k) {
    var g = L.layerGroup();
    it.legs.forEach(function (lg, j) {
      var line = L.polyline(lg.coords, {color: it.color, weight: 4, opacity: 0.9,
        className: "mm-leg mm-it-" + k});
      line.bindTooltip(lg.tip, {sticky: true, className: "mm-tip"});
      line.on("click", function () { highlight(k); });
      line.addTo(g);
    });
    g.addTo(map);
    var name = esc(it.label) + " (" + fmt(it.teu) + " " + esc(unit) + ")" + (it.dropped ? ", dropped" : "");
    overlays["<span style='color:" + it.color + "'>&#9632;</span> " + name] = g;
  });

  var nodes = L.layerGroup();
  data.nodes.forEach(function (n) {
    L.circleMarker([n.lat, n.lon], {radius: 6, color: "#ffffff", weight: 1.5,
      fillColor: n.color, fillOpacity: 1, className: "mm-node"})
      .bindTooltip(n.tip, {className: "mm-tip"}).addTo(nodes);
  });
  nodes.addTo(map);
  overlays["nodes"] = nodes;
  var layersControl = L.control.layers(null, overlays, {collapsed: data.itineraries.length > 12});
  if (!planar) { L.control.scale({imperial: false}).addTo(map); }

  // --- side list: one row per itinerary -------------------------------------------------
  var side = document.getElementById("mm-side");
  var list = document.createElement("table");
  list.className = "mm-list";
  list.innerHTML = "<tr><th>" + esc(entity) + "</th><th>" + esc(unit) +
    "</th><th>route</th><th>arrival / drop</th></tr>";
  data.itineraries.forEach(function (it, k) {
    var tr = document.createElement("tr");
    tr.className = "mm-row" + (it.dropped ? " mm-dropped" : (it.lateness_h > 1e-9 ? " mm-late" : ""));
    var route = (it.legs.length ? [it.legs[0].from].concat(it.legs.map(function (l) { return l.to; }))
      : [it.origin]).map(esc).join(" &rarr; ");
    var status = it.dropped ? "dropped: " + it.drop_reason :
      (it.lateness_h > 1e-9 ? "late " + fmt(it.lateness_h) + " h" : "on time");
    tr.innerHTML = "<td><span style='color:" + it.color + "'>&#9632;</span> " + esc(it.label) +
      "</td><td>" + fmt(it.teu) + "</td><td>" + route + "</td><td>" + esc(status) + "</td>";
    tr.title = it.tip.replace(/<br>/g, "\n").replace(/<[^>]+>/g, "").replace(/&rarr;/g, "->");
    tr.addEventListener("click", function () { highlight(k); });
    list.appendChild(tr);
  });
  side.appendChild(list);

  // --- timeline: one row per consignment ------------------------------------------------
  var tl = document.getElementById("mm-timeline");
  var W = 900, rowH = 22, left = 110, top = 22;
  var t0 = data.from_h, t1 = data.end_h;
  var scale = function (t) { return left + (W - left - 10) * (t - t0) / Math.max(t1 - t0, 1e-9); };
  var svgNS = "http://www.w3.org/2000/svg";
  var svg = document.createElementNS(svgNS, "svg");
  var H = top + rowH * data.itineraries.length + 6;
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.setAttribute("width", "100%");
  svg.setAttribute("class", "mm-timeline");
  function el(name, attrs, title) {
    var e = document.createElementNS(svgNS, name);
    Object.keys(attrs).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    if (title) {
      var t = document.createElementNS(svgNS, "title");
      t.textContent = title;
      e.appendChild(t);
    }
    svg.appendChild(e);
    return e;
  }
  data.ticks.forEach(function (tk) {
    var x = scale(tk.h);
    el("line", {x1: x, x2: x, y1: top - 4, y2: H, stroke: "#ddd"});
    el("text", {x: x, y: top - 8, "font-size": 10, "text-anchor": "middle", fill: "#555"}).textContent = tk.label;
  });
  data.itineraries.forEach(function (it, k) {
    var y = top + rowH * k;
    el("text", {x: 4, y: y + 14, "font-size": 11, fill: it.color}).textContent = it.label;
    var plain = function (s) { return s.replace(/<br>/g, "\n").replace(/<[^>]+>/g, "").replace(/&rarr;/g, "->"); };
    if (it.release_h !== null) {
      el("line", {x1: scale(it.release_h), x2: scale(it.release_h), y1: y + 3, y2: y + 19,
        stroke: "#333", "stroke-width": 1.5});
    }
    it.legs.forEach(function (lg) {
      el("rect", {x: scale(lg.dep_h), y: y + 5, width: Math.max(scale(lg.arr_h) - scale(lg.dep_h), 1.5),
        height: 12, fill: lg.color || data.modes[lg.mode] || "#888", "class": "mm-bar mm-bar-leg"}, plain(lg.tip));
    });
    it.handling.forEach(function (h) {
      el("rect", {x: scale(h.at_h), y: y + 8, width: Math.max(scale(h.end_h) - scale(h.at_h), 1.5),
        height: 6, fill: "#999", "class": "mm-bar mm-bar-handling"}, plain(h.tip));
    });
    if (it.due_h !== null) {
      el("line", {x1: scale(it.due_h), x2: scale(it.due_h), y1: y + 2, y2: y + 20,
        stroke: "#c00", "stroke-width": 2, "class": "mm-due"}, "due");
    }
    if (it.dropped) {
      el("text", {x: scale(it.release_h === null ? t0 : it.release_h) + 6, y: y + 14, "font-size": 11,
        fill: "#c00"}).textContent = "dropped: " + it.drop_reason;
    }
  });
  tl.appendChild(svg);

  // --- episode: a time slider moves the weather cells and marks closed links ---------------
  if (data.episode) {
    var ep = data.episode;
    var clock = document.getElementById("mm-clock");
    var slider = document.createElement("input");
    slider.type = "range"; slider.id = "mm-slider"; slider.min = 0;
    slider.max = Math.ceil(ep.end_h); slider.step = 1; slider.value = 0;
    var label = document.createElement("span");
    label.id = "mm-time";
    clock.appendChild(document.createTextNode("time "));
    clock.appendChild(slider);
    clock.appendChild(label);
    var storms = L.layerGroup().addTo(map);
    var closed = L.layerGroup().addTo(map);
    overlays["weather cells"] = storms;
    var cells = ep.weather.map(function (w) {
      return {w: w, layer: L.polygon(latlngs(w.area), {color: "#d2691e", weight: 1.2,
        fillColor: "#ff8c00", fillOpacity: 0.3, className: "mm-storm"}).bindTooltip(w.tip)};
    });
    var shut = ep.closures.map(function (c) {
      return {c: c, layer: L.polyline(c.coords, {color: "#c00", weight: 5, dashArray: "6 4",
        className: "mm-closed"}).bindTooltip(c.tip)};
    });
    var when = function (t) {
      if (ep.start_ms === null) { return "h " + t; }
      var d = new Date(ep.start_ms + t * 3600e3);  // the scenario's clock, shown as UTC
      return d.toISOString().slice(0, 16).replace("T", " ") + " (h " + t + ")";
    };
    var cursor = el("line", {y1: top - 4, y2: H, stroke: "#d2691e", "stroke-width": 2,
      id: "mm-cursor"});
    var update = function (t) {
      label.textContent = " " + when(t);
      cursor.setAttribute("x1", scale(t));
      cursor.setAttribute("x2", scale(t));
      cells.forEach(function (x) {
        var w = x.w;
        var on = w.from_h <= t && t < w.to_h;
        if (on) {
          var j = Math.floor(t - w.from_h);
          x.layer.setLatLngs(w.area.map(function (p) {
            return [p[1] + j * w.step_deg[1], p[0] + j * w.step_deg[0]];
          }));
          if (!storms.hasLayer(x.layer)) { storms.addLayer(x.layer); }
        } else if (storms.hasLayer(x.layer)) { storms.removeLayer(x.layer); }
      });
      shut.forEach(function (x) {
        var on = x.c.from_h <= t && t < x.c.to_h;
        if (on && !closed.hasLayer(x.layer)) { closed.addLayer(x.layer); }
        if (!on && closed.hasLayer(x.layer)) { closed.removeLayer(x.layer); }
      });
      document.body.setAttribute("data-mm-time", String(t));
    };
    slider.addEventListener("input", function () { update(Number(slider.value)); });
    update(0);
    window.mmSetTime = function (t) { slider.value = t; slider.dispatchEvent(new Event("input")); };
  }

  function highlight(k) {
    document.querySelectorAll(".mm-leg").forEach(function (p) {
      p.style.opacity = p.classList.contains("mm-it-" + k) ? "1" : "0.15";
    });
  }
  function fmt(x) { return (Math.round(x * 10) / 10).toLocaleString("en"); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  layersControl.addTo(map);  // after the episode's layers joined ``overlays``
  window.mmPage = {map: map, data: data};
  document.body.setAttribute("data-mm-ready", "1");
})();
