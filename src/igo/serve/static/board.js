// igo's board: an SVG Go board with stones, the last move, a heat map and a variation.
// Plain JavaScript, no build step. Points are flat indices, row-major from the top-left point
// (the server's order); vertices are GTP words ("D4", no letter I).
"use strict";

const LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ";
const CELL = 40;
const MARGIN = 44;
const SVG_NS = "http://www.w3.org/2000/svg";

function vertexOf(point, size) {
  if (point === size * size) return "pass";
  return LETTERS[point % size] + String(size - Math.floor(point / size));
}

function pointOf(vertex, size) {
  if (!vertex || vertex.toLowerCase() === "pass") return -1;
  const col = LETTERS.indexOf(vertex[0].toUpperCase());
  const row = size - parseInt(vertex.slice(1), 10);
  if (col < 0 || col >= size || !(row >= 0 && row < size)) return -1;
  return row * size + col;
}

function el(name, attrs, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function starPoints(size) {
  if (size < 7) return [];
  const edge = size >= 13 ? 3 : 2;
  const far = size - 1 - edge;
  const mid = (size - 1) / 2;
  const out = [[edge, edge], [edge, far], [far, edge], [far, far]];
  if (size % 2 === 1 && size >= 9) {
    out.push([mid, mid]);
    if (size >= 13) out.push([edge, mid], [far, mid], [mid, edge], [mid, far]);
  }
  return out;
}

// Draw the board. options: size, board (a string: "." empty, "b", "w"), last (a vertex),
// heat (an array of point values, or null), heatKind ("policy" | "visits"), pv (vertices),
// pvFirst ("B" | "W"), onClick(vertex).
function drawBoard(svg, options) {
  const size = options.size;
  const span = MARGIN * 2 + CELL * (size - 1);
  svg.setAttribute("viewBox", `0 0 ${span} ${span}`);
  svg.replaceChildren();
  svg.dataset.size = String(size);
  const at = (i) => MARGIN + CELL * i;
  svg.append(el("rect", { class: "board-wood", x: 0, y: 0, width: span, height: span }));
  for (let i = 0; i < size; i++) {
    svg.append(el("line", { class: "grid", x1: at(0), y1: at(i), x2: at(size - 1), y2: at(i) }));
    svg.append(el("line", { class: "grid", x1: at(i), y1: at(0), x2: at(i), y2: at(size - 1) }));
    svg.append(el("text", { class: "coord", x: at(i), y: 12 }, LETTERS[i]));
    svg.append(el("text", { class: "coord", x: at(i), y: at(size - 1) + MARGIN - 12 }, LETTERS[i]));
    svg.append(el("text", { class: "coord", x: 12, y: at(i) }, String(size - i)));
    svg.append(el("text", { class: "coord", x: at(size - 1) + MARGIN - 12, y: at(i) }, String(size - i)));
  }
  for (const [r, c] of starPoints(size)) {
    svg.append(el("circle", { class: "star", cx: at(c), cy: at(r), r: 3.5 }));
  }
  drawHeat(svg, options, at);
  const board = options.board || "";
  for (let p = 0; p < size * size; p++) {
    const stone = board[p];
    if (stone !== "b" && stone !== "w") continue;
    const colour = stone === "b" ? "black" : "white";
    const attrs = { class: `stone ${colour}`, cx: at(p % size), cy: at(Math.floor(p / size)) };
    svg.append(el("circle", { ...attrs, r: CELL * 0.47, "data-vertex": vertexOf(p, size) }));
  }
  const last = pointOf(options.last, size);
  if (last >= 0) {
    const attrs = { class: "last", cx: at(last % size), cy: at(Math.floor(last / size)) };
    svg.append(el("circle", { ...attrs, r: CELL * 0.22 }));
  }
  drawVariation(svg, options, at);
  for (let p = 0; p < size * size; p++) {
    const x = at(p % size) - CELL / 2;
    const y = at(Math.floor(p / size)) - CELL / 2;
    const vertex = vertexOf(p, size);
    const cell = el("rect", { class: "point", x, y, width: CELL, height: CELL, "data-vertex": vertex });
    if (options.onClick) cell.addEventListener("click", () => options.onClick(vertex));
    svg.append(cell);
  }
}

function drawHeat(svg, options, at) {
  const heat = options.heat;
  const size = options.size;
  if (!heat) return;
  const top = Math.max(...heat.slice(0, size * size).filter((v) => v > 0), 0);
  if (top <= 0) return;
  for (let p = 0; p < size * size; p++) {
    const value = heat[p];
    if (!(value > 0)) continue;
    const x = at(p % size);
    const y = at(Math.floor(p / size));
    const opacity = 0.15 + 0.75 * (value / top);
    const attrs = { class: `heat ${options.heatKind}`, x: x - CELL / 2 + 2, y: y - CELL / 2 + 2 };
    const title = options.heatKind === "policy" ? `${(100 * value).toFixed(1)}%` : String(value);
    svg.append(el("rect", { ...attrs, width: CELL - 4, height: CELL - 4, opacity,
      "data-vertex": vertexOf(p, size), "data-value": String(value) }));
    if (value / top > 0.25) svg.append(el("text", { class: "heat-label", x, y }, title));
  }
}

function drawVariation(svg, options, at) {
  const size = options.size;
  let colour = options.pvFirst === "W" ? "white" : "black";
  const seen = new Set();
  (options.pv || []).slice(0, 10).forEach((vertex, i) => {
    const p = pointOf(vertex, size);
    if (p >= 0 && !seen.has(p)) {
      seen.add(p);
      const x = at(p % size);
      const y = at(Math.floor(p / size));
      svg.append(el("circle", { class: `pv ${colour}`, cx: x, cy: y, r: CELL * 0.42, "data-pv": String(i + 1) }));
      const fill = colour === "black" ? "#fff" : "#111";
      svg.append(el("text", { class: "pv-label", x, y, fill }, String(i + 1)));
    }
    colour = colour === "black" ? "white" : "black";
  });
}

// The heat map of an analysis answer: the network's policy or the search's visits per point.
function heatOf(answer, kind, size) {
  if (!answer || kind === "none") return null;
  if (kind === "policy") return answer.policy ? answer.policy.map((v) => Math.max(v, 0)) : null;
  const visits = new Array(size * size + 1).fill(0);
  for (const info of answer.moveInfos || []) {
    const p = pointOf(info.move, size);
    if (p >= 0) visits[p] = info.visits;
  }
  return visits;
}

// The win-rate graph: black's win rate by turn (null: not analysed yet); a line at 50%, a
// marker at the current turn; onPick(turn) on a click.
function drawGraph(svg, rates, current, onPick) {
  const width = 400;
  const height = 120;
  svg.replaceChildren();
  const n = Math.max(rates.length - 1, 1);
  const x = (t) => 4 + ((width - 8) * t) / n;
  const y = (r) => 4 + (height - 8) * (1 - r);
  svg.append(el("line", { class: "graph-half", x1: 0, x2: width, y1: y(0.5), y2: y(0.5) }));
  svg.append(el("text", { class: "graph-label", x: width - 4, y: 12 }, "black 100%"));
  svg.append(el("text", { class: "graph-label", x: width - 4, y: height - 6 }, "white 100%"));
  const points = [];
  rates.forEach((rate, t) => {
    if (rate === null || rate === undefined) return;
    points.push(`${x(t).toFixed(1)},${y(rate).toFixed(1)}`);
    svg.append(el("circle", { class: "graph-dot", cx: x(t), cy: y(rate), r: 1.6, "data-turn": String(t) }));
  });
  if (points.length > 1) svg.append(el("polyline", { class: "graph-line", points: points.join(" ") }));
  svg.append(el("line", { class: "graph-now", x1: x(current), x2: x(current), y1: 0, y2: height }));
  svg.onclick = (event) => {
    const box = svg.getBoundingClientRect();
    const t = Math.round(((event.clientX - box.left) / box.width) * n);
    onPick(Math.min(Math.max(t, 0), rates.length - 1));
  };
}
