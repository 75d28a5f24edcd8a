/* {words, texts} on stdin -> {stems, terms, stopWords} as lunr.js 2.3.9 computes them.
 *
 * stems[i] is lunr.stemmer applied to words[i]; terms[i] is what the search page looks up
 * for texts[i]: the theme's search.js cuts and trims its words (in place of lunr.tokenizer
 * and lunr.trimmer, which keeps only [A-Za-z0-9_]), then lunr.stopWordFilter and
 * lunr.stemmer run;
 * stopWords are the stop_word_candidates that lunr.stopWordFilter removes.
 * Uses the shipped node_modules/lunr/lunr.min.js. Usage: node tests/js/stem.js PROJECT_ROOT
 */
"use strict";

const fs = require("fs");
const path = require("path");

const projectRoot = path.resolve(process.argv[2] || ".");
const lunr = require("./shipped.js")(projectRoot);
const search = require(path.join(projectRoot, "themes", "default", "static", "search.js"));

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const pipeline = new lunr.Pipeline();
pipeline.add(lunr.stopWordFilter, lunr.stemmer);

const stems = (request.words || []).map((word) => lunr.stemmer(new lunr.Token(word)).toString());
const terms = (request.texts || []).map((text) =>
  pipeline.run(search.words(lunr, text).map((word) => new lunr.Token(word))).map(String));
const stopWords = (request.stop_word_candidates || []).filter(
  (word) => !lunr.stopWordFilter(new lunr.Token(word)));

process.stdout.write(JSON.stringify({ version: lunr.version, stems, terms, stopWords }));
