/* {words, texts} on stdin -> {stems, terms, stopWords} as lunr.js 2.3.9 computes them.
 *
 * stems[i] is lunr.stemmer applied to words[i]; terms[i] is what lunr.js indexes for
 * texts[i] (lunr.tokenizer, then the trimmer, stopWordFilter and stemmer pipeline);
 * stopWords are the stop_word_candidates that lunr.stopWordFilter removes.
 * Uses the shipped node_modules/lunr/lunr.min.js. Usage: node tests/js/stem.js PROJECT_ROOT
 */
"use strict";

const fs = require("fs");
const path = require("path");

const projectRoot = path.resolve(process.argv[2] || ".");
const lunr = require("./shipped.js")(projectRoot);

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const pipeline = new lunr.Pipeline();
pipeline.add(lunr.trimmer, lunr.stopWordFilter, lunr.stemmer);

const stems = (request.words || []).map((word) => lunr.stemmer(new lunr.Token(word)).toString());
const terms = (request.texts || []).map((text) =>
  pipeline.run(lunr.tokenizer(text)).map((token) => token.toString()));
const stopWords = (request.stop_word_candidates || []).filter(
  (word) => !lunr.stopWordFilter(new lunr.Token(word)));

process.stdout.write(JSON.stringify({ version: lunr.version, stems, terms, stopWords }));
