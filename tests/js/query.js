/* {root, index_url, store_url, queries} on stdin -> each query's outcome (or its error) as JSON.
 *
 * Loads the shipped lunr.min.js and the theme's search.js in node, serves url paths from the
 * files under `root`, and times loading and searching (milliseconds, process.hrtime). With
 * `fresh` (the default) every query gets a new Searcher, as a new page would; with
 * `prestart`, the manifest and store are loaded first (as the page does when the search box
 * gets focus) and timed apart as start_ms.
 * Usage: node tests/js/query.js PROJECT_ROOT < request.json
 */
"use strict";

const fs = require("fs");
const path = require("path");

const projectRoot = path.resolve(process.argv[2] || ".");
const lunr = require("./shipped.js")(projectRoot);
const search = require(path.join(projectRoot, "themes", "default", "static", "search.js"));

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const warnings = [];
console.warn = (message) => warnings.push(String(message));

function now() {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

const fetched = [];
function fetchJson(urlPath) {
  const file = path.join(request.root, decodeURIComponent(urlPath).replace(/^\/+/, ""));
  return new Promise((resolve, reject) => {
    fs.readFile(file, "utf8", (error, text) => {
      if (error) {
        reject(error);
        return;
      }
      fetched.push({ url: urlPath, bytes: Buffer.byteLength(text) });
      resolve(JSON.parse(text));
    });
  });
}

async function main() {
  const outcomes = [];
  const fresh = request.fresh !== false;
  let searcher = null;
  for (const text of request.queries) {
    if (fresh || !searcher) {
      searcher = new search.Searcher(lunr, fetchJson, request.index_url);
      fetched.length = 0;
    }
    let startMs = 0;
    try {
      if (request.prestart) {
        const before = now();
        await searcher.start();
        startMs = now() - before;
      }
      const started = now();
      const outcome = await searcher.search(text);
      outcomes.push({
        text,
        ok: true,
        ms: now() - started,
        start_ms: startMs,
        mode: outcome.mode,
        total: outcome.total,
        refs: outcome.results.map((r) => r.ref),
        urls: outcome.results.map((r) => r.doc.u),
        terms: outcome.results.map((r) => r.terms),
        scores: outcome.results.map((r) => r.score),
        marked: outcome.results.map((r) =>
          search.highlight(lunr, r.doc.x, r.terms, searcher.folder).filter((p) => p.mark).map((p) => p.text)),
        marked_titles: outcome.results.map((r) =>
          search.highlight(lunr, r.doc.t, r.terms, searcher.folder).filter((p) => p.mark).map((p) => p.text)),
        closest: outcome.closest,
        prepared: searcher.prepare(text),
        fetched: fetched.slice(),
      });
    } catch (error) {
      outcomes.push({ text, ok: false, error: String(error && error.stack || error) });
    }
  }
  process.stdout.write(JSON.stringify({ outcomes, warnings }));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(1);
});
