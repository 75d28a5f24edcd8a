/* {fold, words, queries, stems} on stdin -> what the theme's search.js makes of each, as JSON.
 *
 * `words`: each string trimmed (trim) and cut into words (words); `queries`: each string as
 * search.js prepares a query with the fold table `fold`; `stems`: each word through lunr.js's stemmer. The Python side computes the same in
 * generator/search.py, and tests/test_search.py compares the two.
 * Usage: node tests/js/text.js PROJECT_ROOT < request.json
 */
"use strict";

const fs = require("fs");
const path = require("path");

const projectRoot = path.resolve(process.argv[2] || ".");
const lunr = require("./shipped.js")(projectRoot);
const search = require(path.join(projectRoot, "themes", "default", "static", "search.js"));

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const folder = new search.Folder(request.fold);
const searcher = new search.Searcher(lunr, null, "");
searcher.folder = folder;
process.stdout.write(JSON.stringify({
  trimmed: (request.words || []).map((text) => search.trim(text)),
  words: (request.words || []).map((text) => search.words(lunr, text)),
  queries: (request.queries || []).map((text) => searcher.prepare(text)),
  stems: (request.stems || []).map((word) => lunr.stemmer(new lunr.Token(word)).toString()),
}));
