// igo's page: the Play, Review and Watch views on one board, talking to the JSON API.
// Errors from the API ({"error": ...}) are shown in the red bar; nothing here throws at the user.
"use strict";

const S = {
  view: "play",
  info: null,
  heat: "policy",
  game: null,
  gameAnalysis: null,
  record: null,
  turn: 0,
  answers: [],
  graphDone: false,
  watch: { game: null, shown: 0, timer: null, poll: null, error: null },
};
const $ = (id) => document.getElementById(id);

function showError(message) {
  const bar = $("error");
  bar.textContent = message;
  bar.hidden = !message;
}

async function api(method, path, body, headers) {
  const init = { method, headers: headers || {} };
  if (body !== undefined) {
    init.body = typeof body === "string" || body instanceof Blob ? body : JSON.stringify(body);
    if (!headers) init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new Error(`the server cannot be reached (${err.message})`);
  }
  let data = null;
  try {
    data = await response.json();
  } catch (err) {
    throw new Error(`the server answered ${response.status} without JSON`);
  }
  if (!response.ok) throw new Error(data && data.error ? data.error : `error ${response.status}`);
  return data;
}

// Run an API action: its error goes to the red bar, success clears it.
async function attempt(action) {
  try {
    await action();
    showError("");
  } catch (err) {
    showError(err.message);
  }
}

// ----- the analysis panel --------------------------------------------------------------------
function showAnalysis(answer) {
  const summary = $("analysis-summary");
  const body = $("moves").querySelector("tbody");
  body.replaceChildren();
  if (!answer || !answer.rootInfo) {
    summary.textContent = S.info && !S.info.canAnalyse ? "This player does not search." : "";
    $("pv").textContent = "";
    return;
  }
  const root = answer.rootInfo;
  const state = answer.isDuringSearch ? "searching" : "done";
  summary.textContent = `black wins ${(100 * root.winrate).toFixed(1)}% · ${root.visits} visits (${state})`;
  const best = (answer.moveInfos || [])[0];
  $("pv").textContent = best ? `best line: ${best.pv.join(" ")}` : "";
  for (const info of (answer.moveInfos || []).slice(0, 8)) {
    const row = document.createElement("tr");
    for (const text of [info.move, info.visits, `${(100 * info.winrate).toFixed(1)}%`, `${(100 * info.prior).toFixed(1)}%`]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    body.append(row);
  }
}

function overlay(answer, size) {
  if (!answer) return {};
  const best = (answer.moveInfos || [])[0];
  return {
    heat: heatOf(answer, S.heat, size),
    heatKind: S.heat,
    pv: best && S.heat !== "none" ? best.pv : [],
    pvFirst: answer.rootInfo ? answer.rootInfo.currentPlayer : "B",
  };
}

// ----- views ---------------------------------------------------------------------------------
function setView(view) {
  S.view = view;
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === view);
  for (const name of ["play", "review", "watch"]) $(`${name}-panel`).classList.toggle("active", name === view);
  $("analysis").hidden = view === "watch"; // a watched game is not analysed
  if (view === "watch") startWatching();
  else stopWatching();
  render();
}

function render() {
  if (S.view === "play") renderPlay();
  else if (S.view === "review") renderReview();
  else renderWatch();
}

// ----- Play ----------------------------------------------------------------------------------
function renderPlay() {
  const game = S.game;
  const size = game ? game.size : Number($("size").value) || 9;
  const last = game && game.moves.length ? game.moves[game.moves.length - 1][1] : null;
  const shown = game && (game.thinking || S.analysing) ? overlay(S.gameAnalysis, size) : {};
  drawBoard($("board"), { size, board: game ? game.board : "", last, ...shown, onClick: (v) => attempt(() => play(v)) });
  showAnalysis(S.gameAnalysis);
  if (!game) {
    $("status").textContent = "Choose a colour, a size and komi, then New game.";
    $("result").textContent = "";
    return;
  }
  const turn = game.toPlay === game.human ? "your move" : "igo's move";
  const told = game.lastIgo ? ` · igo played ${game.lastIgo}` : "";
  $("status").textContent = game.over ? "Game over." : game.thinking ? "igo is thinking…" : `${turn}${told}`;
  $("result").textContent = game.result ? `Result: ${game.result}` : "";
  if (game.error) showError(game.error);
}

async function newGame(event) {
  event.preventDefault();
  stopAnalysing();
  const body = { size: Number($("size").value), komi: Number($("komi").value), color: $("color").value };
  S.gameAnalysis = null;
  S.game = await api("POST", "/api/games", body);
  follow();
  render();
}

async function play(vertex) {
  if (!S.game) throw new Error("start a game first (New game)");
  stopAnalysing();
  S.game = await api("POST", `/api/games/${S.game.id}/move`, { move: vertex });
  follow();
  render();
}

async function gameAction(name) {
  if (!S.game) throw new Error("start a game first (New game)");
  stopAnalysing();
  S.game = await api("POST", `/api/games/${S.game.id}/${name}`);
  render();
}

// Follow igo's search while it thinks: interim analyses, then the game with its move.
function follow() {
  if (!S.game || !S.game.thinking) return;
  const source = new EventSource(`/api/games/${S.game.id}/thinking`);
  source.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.state) {
      S.game = data.state;
      source.close();
    } else if (data.error) {
      showError(data.error);
    } else if (data.moveInfos) {
      S.gameAnalysis = data;
    }
    if (S.view === "play") render();
  };
  source.addEventListener("end", () => source.close());
  source.onerror = () => source.close();
}

// The analysis engine on the position as it stands (the person's turn); closing the stream
// stops it on the server.
function analyse() {
  if (!S.game) throw new Error("start a game first (New game)");
  stopAnalysing();
  const source = new EventSource(`/api/games/${S.game.id}/analysis`);
  S.analysisSource = source;
  source.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.error) showError(data.error);
    else if (data.moveInfos) {
      S.gameAnalysis = data;
      S.analysing = true;
    }
    if (S.view === "play") render();
  };
  source.addEventListener("end", () => source.close());
  source.onerror = () => source.close();
}

function stopAnalysing() {
  if (S.analysisSource) S.analysisSource.close();
  S.analysisSource = null;
  S.analysing = false;
}

// ----- Review --------------------------------------------------------------------------------
function renderReview() {
  const record = S.record;
  if (!record) {
    drawBoard($("board"), { size: 9, board: "" });
    $("status").textContent = "Load an SGF file to step through it.";
    showAnalysis(null);
    return;
  }
  const turn = S.turn;
  const last = turn > 0 ? record.moves[turn - 1][1] : null;
  const answer = S.answers[turn];
  drawBoard($("board"), { size: record.size, board: record.boards[turn], last, ...overlay(answer, record.size) });
  $("move-number").textContent = `move ${turn} / ${record.moves.length}`;
  const mover = turn > 0 ? `${record.moves[turn - 1][0]} ${last}` : "start";
  $("status").textContent = `${record.name}: ${mover}`;
  $("comment").textContent = turn > 0 ? record.comments[turn - 1] || "" : "";
  const rates = record.boards.map((_, t) => (S.answers[t] && S.answers[t].rootInfo ? S.answers[t].rootInfo.winrate : null));
  drawGraph($("graph"), rates, turn, (t) => goTo(t));
  const done = S.answers.filter((a) => a && !a.isDuringSearch).length;
  if (!S.graphError) $("graph-status").textContent = `win-rate graph: ${done} of ${record.boards.length} positions analysed${S.graphDone ? "" : "…"}`;
  showAnalysis(answer);
}

function goTo(turn) {
  if (!S.record) return;
  S.turn = Math.min(Math.max(turn, 0), S.record.moves.length);
  render();
}

async function upload(file) {
  const text = await file.arrayBuffer();
  const name = encodeURIComponent(file.name);
  const record = await api("POST", `/api/records?name=${name}`, new Blob([text]), { "Content-Type": "application/x-go-sgf" });
  if (S.graph) S.graph.close();
  S.record = record;
  S.turn = 0;
  S.answers = [];
  S.graphDone = false;
  S.graphError = null;
  $("record-info").textContent = `${record.black} (B) – ${record.white} (W), ${record.size}x${record.size}, komi ${record.komi}${record.result ? `, ${record.result}` : ""}`;
  const source = new EventSource(`/api/records/${record.id}/analysis`);
  S.graph = source;
  source.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.error) {
      S.graphError = data.error;
      $("graph-status").textContent = `no analysis: ${data.error}`;
    } else if ("turnNumber" in data) {
      const had = S.answers[data.turnNumber];
      if (!(had && !had.isDuringSearch && data.isDuringSearch)) S.answers[data.turnNumber] = data;
    }
    if (S.view === "review") render();
  };
  source.addEventListener("end", () => {
    S.graphDone = true;
    source.close();
    if (S.view === "review") render();
  });
  source.onerror = () => source.close();
  render();
}

// ----- Watch ---------------------------------------------------------------------------------
async function pollWatch() {
  try {
    const found = await api("GET", "/api/watch");
    S.watch.error = null;
    S.watch.folder = found.folder;
    S.watch.count = found.games;
    const game = found.game;
    const had = S.watch.game;
    if (game && (!had || had.name !== game.name)) S.watch.shown = 0;
    S.watch.game = game;
  } catch (err) {
    S.watch.error = err.message;
  }
  if (S.view === "watch") render();
}

function startWatching() {
  if (S.watch.poll) return;
  pollWatch();
  S.watch.poll = setInterval(pollWatch, 1000);
  S.watch.timer = setInterval(() => {
    const game = S.watch.game;
    if (game && S.watch.shown < game.moves.length) {
      S.watch.shown += 1;
      if (S.view === "watch") render();
    }
  }, 350);
}

function stopWatching() {
  clearInterval(S.watch.poll);
  clearInterval(S.watch.timer);
  S.watch.poll = null;
  S.watch.timer = null;
}

function renderWatch() {
  const game = S.watch.game;
  showAnalysis(null);
  if (S.watch.error) {
    $("watch-status").textContent = S.watch.error;
    drawBoard($("board"), { size: 9, board: "" });
    $("status").textContent = "";
    return;
  }
  $("watch-status").textContent = `${S.watch.folder || ""}: ${S.watch.count || 0} games`;
  if (!game) {
    drawBoard($("board"), { size: 9, board: "" });
    $("status").textContent = "waiting for the first game…";
    $("watch-info").textContent = "";
    return;
  }
  const shown = Math.min(S.watch.shown, game.moves.length);
  const last = shown > 0 ? game.moves[shown - 1][1] : null;
  drawBoard($("board"), { size: game.size, board: game.boards[shown], last });
  $("status").textContent = `${game.name}: move ${shown} / ${game.moves.length}`;
  $("watch-info").textContent = `${game.black} (B) – ${game.white} (W)${game.result ? `, ${game.result}` : ""}`;
}

// ----- start ---------------------------------------------------------------------------------
async function start() {
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => setView(tab.dataset.view));
  $("new-game-form").addEventListener("submit", (event) => attempt(() => newGame(event)));
  $("pass").addEventListener("click", () => attempt(() => play("pass")));
  $("undo").addEventListener("click", () => attempt(() => gameAction("undo")));
  $("resign").addEventListener("click", () => attempt(() => gameAction("resign")));
  $("analyse").addEventListener("click", () => attempt(async () => analyse()));
  $("sgf-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.blur(); // the arrow keys step through the record, not the form
    if (file) attempt(() => upload(file));
  });
  $("first").addEventListener("click", () => goTo(0));
  $("prev").addEventListener("click", () => goTo(S.turn - 1));
  $("next").addEventListener("click", () => goTo(S.turn + 1));
  $("last").addEventListener("click", () => goTo(Infinity));
  document.addEventListener("keydown", (event) => {
    const typing = event.target.tagName === "INPUT" && !["file", "radio"].includes(event.target.type);
    if (S.view !== "review" || typing) return;
    const moves = { ArrowLeft: S.turn - 1, ArrowRight: S.turn + 1, Home: 0, End: Infinity };
    if (event.key in moves) {
      event.preventDefault();
      goTo(moves[event.key]);
    }
  });
  for (const radio of document.querySelectorAll("input[name=heat]")) {
    radio.addEventListener("change", () => {
      S.heat = radio.value;
      render();
    });
  }
  await attempt(async () => {
    S.info = await api("GET", "/api/info");
    const sizes = $("size");
    for (const size of S.info.sizes) sizes.append(new Option(`${size}x${size}`, String(size)));
    sizes.value = String(S.info.defaultSize);
    const visits = S.info.visits ? `, ${S.info.visits} visits` : "";
    $("player-info").textContent = `igo: ${S.info.player}${visits}`;
    if (!S.info.watch) $("watch-status").textContent = "No folder is watched: start igo serve with --watch FOLDER.";
  });
  const wanted = location.hash.slice(1);
  setView(["play", "review", "watch"].includes(wanted) ? wanted : "play");
}

start();
