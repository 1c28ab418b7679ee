// Indicators console: the call indicators of a SAMU (or of every SAMU for national and analyst roles) from
// /api/indicators/calls — tiles for the period, service level against its target, volumes, an hour × weekday
// heatmap and, nationwide, the SAMUs side by side. Refreshed as often as the rollups move; every chart exports as PNG, the data as CSV and
// Parquet. Nationwide, the scope can be narrowed to a region.
"use strict";
(function () {
  const { el, api, attempt, ctx } = Sisamu;
  const panel = document.getElementById("panel-indicators");
  const nationwide = panel.dataset.nationwide === "true";
  const TARGET = 99;
  const DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
  const charts = {};
  let compareRows = [];
  let compareKey = "qs60_pct";
  let compareDescending = false;

  function isoDay(date) {
    const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 10);
  }
  function period() {
    const choice = document.getElementById("ind-range").value;
    const end = new Date();
    const start = new Date(end);
    if (choice === "today") return { start: isoDay(end), end: isoDay(end), by: "hour" };
    start.setDate(end.getDate() - Number(choice) + 1);
    return { start: isoDay(start), end: isoDay(end), by: choice === "365" ? "month" : "day" };
  }
  function regionChoice() {
    const select = document.getElementById("ind-region");
    return select ? select.value : "";
  }
  async function loadRegions() {
    const select = document.getElementById("ind-region");
    if (!select) return;
    const regions = await api("/api/indicators/regions");
    select.append(...regions.map((r) => el("option", r.name + " (" + r.samus.length + " SAMU)", null, { value: r.code })));
  }
  function query(p, extra) {
    const params = new URLSearchParams({ start: p.start, end: p.end, by: p.by });
    if (ctx.samu) params.append("samu", ctx.samu);
    else params.append("total", "true");
    const region = regionChoice();
    if (region) params.append("region", region);
    for (const [k, v] of Object.entries(extra || {})) {
      params.delete(k);
      for (const one of [].concat(v)) params.append(k, one);
    }
    return "/api/indicators/calls?" + params.toString();
  }
  function label(point, by) {
    const d = new Date(point.period.length > 10 ? point.period : point.period + "T00:00:00");
    if (by === "hour") return d.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    if (by === "month") return d.toLocaleDateString("fr-FR", { month: "short", year: "numeric" });
    return d.toLocaleDateString("fr-FR", { weekday: "short", day: "numeric", month: "short" });
  }
  function pct(v) { return v === null || v === undefined ? "—" : v.toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " %"; }
  function num(v) { return v === null || v === undefined ? "—" : v.toLocaleString("fr-FR"); }

  function sum(series) {
    const keys = ["offered", "answered", "answered_30", "answered_60", "abandoned", "lost", "overflow_out", "overflow_in"];
    const total = Object.fromEntries(keys.map((k) => [k, 0]));
    for (const p of series) for (const k of keys) total[k] += p[k];
    const served = total.answered + total.lost;
    total.qs60_pct = served ? (100 * total.answered_60) / served : null;
    total.qs30_pct = served ? (100 * total.answered_30) / served : null;
    total.lost_pct = served ? (100 * total.lost) / served : null;
    return total;
  }
  function showTiles(series) {
    const total = sum(series);
    // Quantiles do not add up across periods: the tiles show the whole period's from its own request.
    const values = {
      qs60_pct: pct(total.qs60_pct), qs30_pct: pct(total.qs30_pct), lost_pct: pct(total.lost_pct) + " (" + num(total.lost) + ")",
      offered: num(total.offered), answered: num(total.answered),
      overflow_out: num(total.overflow_out) + " / " + num(total.overflow_in),
    };
    for (const tile of document.querySelectorAll("#ind-tiles .tile")) {
      const key = tile.dataset.key;
      if (key in values) tile.querySelector(".value").textContent = values[key];
    }
    const qs60 = document.querySelector('#ind-tiles .tile[data-key="qs60_pct"]');
    qs60.classList.toggle("alert", total.qs60_pct !== null && total.qs60_pct < TARGET);
  }
  function showWaits(whole) {
    const point = whole[0] || {};
    for (const key of ["wait_median_s", "wait_p90_s"]) {
      const tile = document.querySelector('#ind-tiles .tile[data-key="' + key + '"] .value');
      tile.textContent = Sisamu.duration(point[key]);
    }
  }

  // Regulation and SMUR: one point for the whole period (times are quantiles, they do not add up).
  function showActivity(point) {
    const p = point || {};
    const values = {
      files_opened: num(p.files_opened),
      files_per_100_inhabitants: p.files_per_100_inhabitants === null || p.files_per_100_inhabitants === undefined ? "—" : p.files_per_100_inhabitants.toLocaleString("fr-FR", { maximumFractionDigits: 3 }),
      priorities: [p.files_p0, p.files_p1, p.files_p2, p.files_p3].map(num).join(" / "),
      drm_pct: pct(p.drm_pct),
    };
    for (const key of ["to_regulation_median_s", "to_decision_median_s", "smur_departure_median_s", "smur_on_scene_median_s"]) values[key] = Sisamu.duration(p[key]);
    for (const tile of document.querySelectorAll("#ind-activity .tile")) {
      tile.querySelector(".value").textContent = values[tile.dataset.key];
    }
  }
  function draw(id, config) {
    if (charts[id]) { charts[id].data = config.data; charts[id].update("none"); return; }
    charts[id] = new Chart(document.getElementById(id), config);
  }
  // Every period of the range, those without calls included (null), so that a quiet day shows as a gap.
  function periodTime(iso) { return new Date(iso.length > 10 ? iso : iso + "T00:00:00").getTime(); }
  function everyPeriod(series, p) {
    const found = new Map(series.map((point) => [periodTime(point.period), point]));
    const out = [];
    const cursor = new Date(p.start + "T00:00:00");
    const end = p.by === "hour" ? new Date() : new Date(p.end + "T00:00:00");
    if (p.by === "month") cursor.setDate(1);
    while (cursor <= end) {
      const iso = p.by === "hour" ? cursor.toISOString() : isoDay(cursor);
      out.push(found.get(cursor.getTime()) || { period: iso, empty: true });
      if (p.by === "hour") cursor.setHours(cursor.getHours() + 1);
      else if (p.by === "month") cursor.setMonth(cursor.getMonth() + 1);
      else cursor.setDate(cursor.getDate() + 1);
    }
    return out;
  }
  function value(point, key) { return point.empty ? null : point[key]; }
  function showCharts(series, by) {
    const labels = series.map((p) => label(p, by));
    draw("chart-service", {
      type: "line",
      data: {
        labels,
        datasets: [
          { label: "QS60 (%)", data: series.map((p) => value(p, "qs60_pct")), borderColor: "#1f618d", backgroundColor: "#1f618d", spanGaps: true },
          { label: "QS30 (%)", data: series.map((p) => value(p, "qs30_pct")), borderColor: "#7fb3d5", backgroundColor: "#7fb3d5", spanGaps: true },
          { label: "Cible QS60 : 99 %", data: labels.map(() => TARGET), borderColor: "#c0392b", borderDash: [6, 4], pointRadius: 0 },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { suggestedMin: 80, max: 100, title: { display: true, text: "%" } } } },
    });
    draw("chart-volume", {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "Décrochés", data: series.map((p) => value(p, "answered")), backgroundColor: "#27ae60" },
          { label: "Perdus", data: series.map((p) => value(p, "lost")), backgroundColor: "#c0392b" },
          { label: "Raccrochés avant le seuil", data: series.map((p) => (p.empty ? null : p.abandoned - p.lost)), backgroundColor: "#f5b041" },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "appels" } } } },
    });
  }

  function showHeatmap(hours) {
    const cells = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ a60: 0, served: 0, offered: 0 })));
    for (const p of hours) {
      const at = new Date(p.period);
      const local = new Date(at.toLocaleString("en-US", { timeZone: "Europe/Paris" }));
      const cell = cells[(local.getDay() + 6) % 7][local.getHours()];
      cell.a60 += p.answered_60; cell.served += p.answered + p.lost; cell.offered += p.offered;
    }
    const table = document.getElementById("ind-heatmap");
    const head = el("tr");
    head.append(el("th", "jour \\ heure"));
    for (let h = 0; h < 24; h++) head.append(el("th", String(h)));
    table.tHead.replaceChildren(head);
    const rows = cells.map((row, d) => {
      const tr = el("tr");
      tr.append(el("th", DAYS[d]));
      for (const [h, cell] of row.entries()) {
        const value = cell.served ? (100 * cell.a60) / cell.served : null;
        const td = el("td", value === null ? "" : Math.round(value).toString(), "heat", {
          title: DAYS[d] + " " + h + " h : " + (value === null ? "aucun appel" : pct(value) + " en 60 s, " + cell.offered + " appels"),
        });
        if (value !== null) td.style.backgroundColor = value >= TARGET ? "#d5f5e3" : value >= 95 ? "#fcf3cf" : value >= 90 ? "#fad7a0" : "#f5b7b1";
        tr.append(td);
      }
      return tr;
    });
    table.tBodies[0].replaceChildren(...rows);
  }

  function showCompare() {
    const table = document.getElementById("ind-compare");
    if (!table) return;
    const sorted = [...compareRows].sort((a, b) => {
      const x = a[compareKey], y = b[compareKey];
      const order = x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
      return compareDescending ? -order : order;
    });
    table.tBodies[0].replaceChildren(...sorted.map((p) => {
      const tr = el("tr");
      const cell = el("td");
      cell.append(el("a", "SAMU " + p.samu_id, null, { href: "/console/indicators?samu=" + encodeURIComponent(p.samu_id) }));
      tr.append(cell, el("td", num(p.offered)), el("td", pct(p.qs60_pct), p.qs60_pct !== null && p.qs60_pct < TARGET ? "alert" : null),
        el("td", pct(p.lost_pct)), el("td", Sisamu.duration(p.wait_median_s)), el("td", num(p.overflow_out)), el("td", num(p.overflow_in)));
      return tr;
    }));
  }

  async function refresh() {
    const p = period();
    const data = await api(query(p));
    document.getElementById("ind-threshold").textContent = "Appel perdu : raccroché après au moins " + data.lost_call_threshold_s + " s d'attente.";
    showTiles(data.series);
    showCharts(everyPeriod(data.series, p), p.by);
    showWaits((await api(query(p, { by: "period" }))).series);
    const activity = query(p, { by: "period" }).replace("/calls?", "/activity?");
    showActivity((await api(activity)).series[0]);
    document.getElementById("ind-activity-csv").href = activity + "&format=csv";
    document.getElementById("ind-activity-parquet").href = activity + "&format=parquet";
    document.getElementById("ind-csv").href = query(p, { format: "csv" });
    document.getElementById("ind-parquet").href = query(p, { format: "parquet" });
    const since = new Date(); since.setDate(since.getDate() - 27);
    showHeatmap((await api(query({ start: isoDay(since), end: isoDay(new Date()), by: "hour" }, { indicator: ["offered", "answered", "answered_60", "lost"] }))).series);
    if (nationwide) {
      const params = new URLSearchParams({ start: p.start, end: p.end, by: "period" });
      if (regionChoice()) params.append("region", regionChoice());
      compareRows = (await api("/api/indicators/calls?" + params.toString())).series;
      showCompare();
    }
    document.getElementById("ind-updated").textContent = "mis à jour à " + new Date().toLocaleTimeString("fr-FR");
  }

  document.getElementById("ind-range").addEventListener("change", () => attempt(refresh));
  const regionSelect = document.getElementById("ind-region");
  if (regionSelect) regionSelect.addEventListener("change", () => attempt(refresh));
  for (const button of document.querySelectorAll("[data-png]")) {
    button.addEventListener("click", () => {
      const chart = charts[button.dataset.png];
      if (!chart) return;
      const link = el("a", null, null, { href: chart.toBase64Image("image/png", 1), download: button.dataset.png + ".png" });
      link.click();
    });
  }
  for (const th of document.querySelectorAll("#ind-compare th[data-sort]")) {
    th.addEventListener("click", () => {
      compareDescending = compareKey === th.dataset.sort ? !compareDescending : false;
      compareKey = th.dataset.sort;
      showCompare();
    });
  }
  const status = document.getElementById("live-status");
  status.textContent = "Actualisation automatique : toutes les " + Number(panel.dataset.refreshS) + " s";
  status.dataset.state = "on";
  attempt(loadRegions);
  attempt(refresh);
  // As often as the rollups move (SISAMU_INDICATORS_INTERVAL_S), at most every 2 s.
  setInterval(() => attempt(refresh), 1000 * Number(panel.dataset.refreshS || 30));
})();
