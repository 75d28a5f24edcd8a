/* search.js: the search page's query -> results from the lunr.js index shards and the store's parts. */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else if (root && root.document) {
    api.attach(root);
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var MAX_RESULTS = 50;
  var MAX_QUERY = 200;
  var EXACT_BOOST = 10;
  var MIN_WILDCARD_PREFIX = 2;
  var PREFIX_POSTINGS = 8000;
  var SYNTAX = /[:*~^+\\]|(^|[\s])-/;
  var STATUS = /^[a-z][a-z-]*$/;
  var MAX_CLOSEST = 5;
  var SHORT_WORD = 4;
  var DISPLAY_DOCS = 5;

  /*
   * Words as generator/search.py cuts them (tokenize, trim, fold_table): split at white space
   * and these dashes, apostrophes read as one, and trimmed of everything but letters, marks,
   * numbers and symbols of any script.
   */
  var DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212";
  var APOSTROPHES = "'\u2018\u2019\u02bc\u2032\uff07";
  var SEPARATOR = new RegExp("[\\s" + DASHES + "]+");
  var SEPARATORS = new RegExp("[\\s" + DASHES + "]+", "g");
  var WIDE_DASHES = /[\u2010-\u2015\u2212]/g;
  var WORD = new RegExp("[^\\s" + DASHES + "]+", "g");
  var APOSTROPHE = new RegExp("[" + APOSTROPHES + "]", "g");
  var NOT_KEPT = "[^\\p{L}\\p{M}\\p{N}\\p{S}]";
  var TRIM = new RegExp("^" + NOT_KEPT + "+|" + NOT_KEPT + "+$", "gu");
  var LEAD = new RegExp("^" + NOT_KEPT + "*", "u");
  var TRAIL = new RegExp(NOT_KEPT + "*$", "u");
  var REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|\/]/g;

  /* ------------------------------------------------------------ text as the index has it */

  function trim(word) {
    var trimmed = word.replace(APOSTROPHE, "'").replace(TRIM, "");
    return trimmed.length > 2 && /'s$/i.test(trimmed) ? trimmed.slice(0, -2) : trimmed;
  }

  function words(lunr, text) {
    return text.toLowerCase().split(SEPARATOR).map(trim).filter(function (word) {
      return word !== "";
    });
  }

  function isStopWord(lunr, word) {
    return !lunr.stopWordFilter(new lunr.Token(word));
  }

  function stem(lunr, word) {
    return lunr.stemmer(new lunr.Token(word)).toString();
  }

  /* "Al-Qa\u2019ida" -> "alqaida": a spelling written as one word, its identity in a fold. */
  function squash(text) {
    return text.toLowerCase().replace(APOSTROPHE, "").replace(SEPARATORS, "");
  }

  function length(text) {
    return Array.from(text).length;
  }

  /*
   * The manifest's fold table ([[term, name, [spelling, ...]], ...]) as one pattern that finds
   * any spelling, the longest first, then a possessive, not inside a longer word: the pattern
   * that generator/search.py folded the documents with (_fold_pattern).
   */
  function Folder(table) {
    var self = this;
    var spellings = [];
    this.terms = Object.create(null);
    this.names = Object.create(null);
    (table || []).forEach(function (fold) {
      self.names[fold[0]] = fold[1];
      fold[2].forEach(function (spelling) {
        self.terms[squash(spelling)] = fold[0];
        spellings.push(spelling);
      });
    });
    spellings.sort(function (a, b) {
      return length(squash(b)) - length(squash(a)) || (a < b ? -1 : a > b ? 1 : 0);
    });
    var between = "[\\s" + DASHES + "]*";
    var apostrophe = "[" + APOSTROPHES + "]?";
    var alternatives = spellings.map(function (spelling) {
      return spelling.split(" ").map(function (word) {
        return Array.from(word).map(function (char) {
          return char.replace(REGEXP_SYNTAX, "\\$&");
        }).join(apostrophe);
      }).join(between);
    });
    var possessive = "((?:[" + APOSTROPHES + "]s)?)";
    var source = "(^|[^\\p{L}\\p{N}])(" + alternatives.join("|") + ")" + possessive +
      "(?![\\p{L}\\p{N}])";
    /* lower-case text (queries), and text as written (titles and snippets to mark) */
    this.lower = alternatives.length ? new RegExp(source, "gu") : null;
    this.written = alternatives.length ? new RegExp(source, "giu") : null;
  }

  /*
   * A query as lunr should read it: lower case, each spelling (and its possessive, "'s")
   * replaced by its fold's term.
   */
  Folder.prototype.query = function (text) {
    var terms = this.terms;
    var lower = text.toLowerCase();
    if (!this.lower) {
      return lower;
    }
    return lower.replace(this.lower, function (all, before, spelling) {
      return before + (terms[squash(spelling)] || spelling);
    });
  };

  /* Where `text` spells a fold: [{start, end, term}], in order. */
  Folder.prototype.spans = function (text) {
    var found = [];
    if (!this.written) {
      return found;
    }
    var pattern = this.written;
    var match;
    pattern.lastIndex = 0;
    while ((match = pattern.exec(text)) !== null) {
      var term = this.terms[squash(match[2])];
      if (term) {
        var start = match.index + match[1].length;
        found.push({ start: start, end: start + match[2].length, term: term });
      }
    }
    return found;
  };

  /* ------------------------------------------------------------ query plans */

  /*
   * A plan says what to search for and which index terms (exact, or by prefix) it can
   * touch, so that only the shards holding those terms are fetched. Plain text: every word
   * must match (checked on the results, which is much cheaper than lunr's required
   * clauses), the last one also as the start of a longer word while it is being typed.
   * lunr's query syntax is used when the text contains it and parses.
   */
  function plainPlan(lunr, text) {
    var all = words(lunr, text.slice(0, MAX_QUERY));
    var typing = !/[\s\-]$/.test(text);
    var kept = all.filter(function (word) { return !isStopWord(lunr, word); });
    var plan = { mode: "plain", words: [], terms: [], prefixes: [], all: false };
    kept.forEach(function (word, position) {
      var stemmed = stem(lunr, word);
      if (typing && position === kept.length - 1) {
        plan.words.push({ text: word, term: stemmed, prefix: true });
        plan.prefixes.push(stemmed);
      } else {
        plan.words.push({ text: word, term: stemmed, prefix: false });
        plan.terms.push(stemmed);
      }
    });
    if (plan.words.length === 0) {
      plan.mode = all.length ? "stopwords" : "empty";
    }
    return plan;
  }

  function syntaxPlan(lunr, text, fields, pipeline) {
    var query = new lunr.Query(fields);
    new lunr.QueryParser(text, query).parse();
    var plan = { mode: "syntax", text: text, clauses: query.clauses, terms: [], prefixes: [], all: false };
    query.clauses.forEach(function (clause) {
      var term = clause.term;
      var star = term.indexOf("*");
      if (star >= 0 && star < MIN_WILDCARD_PREFIX) {
        throw new Error("a wildcard needs " + MIN_WILDCARD_PREFIX + " letters before it");
      } else if (clause.editDistance) {
        plan.all = true;
      } else if (star > 0) {
        plan.prefixes.push(term.slice(0, star));
      } else if (clause.usePipeline) {
        plan.terms = plan.terms.concat(pipeline.runString(term));
      } else {
        plan.terms.push(term);
      }
    });
    if (plan.clauses.length === 0) {
      plan.mode = "empty";
    }
    if (query.isNegated()) {
      plan.all = true;
    }
    return plan;
  }

  function makePlan(lunr, text, fields, pipeline) {
    if (SYNTAX.test(text)) {
      try {
        return syntaxPlan(lunr, text.slice(0, MAX_QUERY), fields, pipeline);
      } catch (error) {
        /* not valid lunr syntax: search the words instead */
      }
    }
    return plainPlan(lunr, text);
  }

  /* ------------------------------------------------------------ shards */

  function shardOf(shards, term) {
    var low = 0;
    var high = shards.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (shards[middle][0] <= term) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    return low;
  }

  function shardsFor(shards, plan) {
    var wanted = {};
    if (plan.all) {
      shards.forEach(function (_, number) { wanted[number] = true; });
    }
    plan.terms.forEach(function (term) { wanted[shardOf(shards, term)] = true; });
    plan.prefixes.forEach(function (prefix) {
      var number = shardOf(shards, prefix);
      wanted[number] = true;
      /* one letter: results from the first shard of its words are enough to show something */
      var first = prefix.length === 1 && shards[number][0].indexOf(prefix) === 0;
      while (!first && number + 1 < shards.length && shards[number + 1][0].indexOf(prefix) === 0) {
        number += 1;
        wanted[number] = true;
        first = prefix.length === 1;
      }
    });
    return Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
  }

  /*
   * Shards hold consecutive ranges of terms, numbered in term order, so the index of a set
   * of shards is their inverted indexes and their field vectors concatenated in shard order.
   */
  function mergeShards(manifest, parts) {
    var inverted = [];
    var vectors = Object.create(null);
    var order = [];
    parts.forEach(function (part) {
      inverted = inverted.concat(part.invertedIndex);
      part.fieldVectors.forEach(function (pair) {
        if (!(pair[0] in vectors)) {
          vectors[pair[0]] = [];
          order.push(pair[0]);
        }
        vectors[pair[0]] = vectors[pair[0]].concat(pair[1]);
      });
    });
    return {
      version: manifest.version,
      fields: manifest.fields,
      pipeline: manifest.pipeline,
      invertedIndex: inverted,
      fieldVectors: order.map(function (ref) { return [ref, vectors[ref]]; })
    };
  }

  function Searcher(lunr, fetchJson, indexUrl) {
    this.lunr = lunr;
    this.fetchJson = fetchJson;
    this.indexUrl = indexUrl;
    this.manifest = null;
    this.shardData = {};
    this.partData = {};
    this.parts = {};
    this.index = null;
    this.indexKey = "";
  }

  Searcher.prototype.start = function () {
    var self = this;
    if (!this.started) {
      this.started = this.fetchJson(this.indexUrl)
        .then(function (manifest) {
          self.manifest = manifest;
          self.pipeline = self.lunr.Pipeline.load(manifest.pipeline);
          self.folder = new Folder(manifest.fold);
          return self;
        });
      this.started.catch(function () { self.started = null; });
    }
    return this.started;
  };

  /*
   * Fetches file `number` of `urls` for each of `numbers`, once: `cache[number]` keeps the
   * promise of its data (a failed fetch is tried again next time).
   */
  function fetchOnce(fetchJson, cache, numbers, urls) {
    return Promise.all(numbers.map(function (number) {
      if (!cache[number]) {
        cache[number] = fetchJson(urls[number]);
        cache[number].catch(function () { delete cache[number]; });
      }
      return cache[number];
    }));
  }

  Searcher.prototype.loadShards = function (numbers) {
    return fetchOnce(this.fetchJson, this.shardData, numbers,
      this.manifest.shards.map(function (shard) { return shard[1]; }));
  };

  /*
   * The part of the store that holds a ref (a claim's position in base 36), or -1 for a ref
   * the store does not have: part k holds the refs from k * size up to (k + 1) * size.
   */
  Searcher.prototype.partOf = function (ref) {
    var store = this.manifest.store;
    var part = /^[0-9a-z]+$/.test(ref) ? Math.floor(parseInt(ref, 36) / store.size) : -1;
    return part < store.parts.length ? part : -1;
  };

  /* Fetches the parts of the store that hold `refs`; then `doc(ref)` has their records. */
  Searcher.prototype.loadDocs = function (refs) {
    var self = this;
    var wanted = {};
    refs.forEach(function (ref) {
      var part = self.partOf(ref);
      if (part >= 0 && !(part in self.parts)) {
        wanted[part] = true;
      }
    });
    var numbers = Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
    return fetchOnce(this.fetchJson, this.partData, numbers, this.manifest.store.parts).then(function (loaded) {
      numbers.forEach(function (number, position) { self.parts[number] = loaded[position]; });
    });
  };

  /* A ref's record ({t, u, s, l, x}) once its part is loaded, else undefined. */
  Searcher.prototype.doc = function (ref) {
    var part = this.parts[this.partOf(ref)];
    return part && Object.prototype.hasOwnProperty.call(part, ref) ? part[ref] : undefined;
  };

  Searcher.prototype.indexFor = function (numbers) {
    var self = this;
    var loaded = Object.keys(this.shardData).map(Number).sort(function (a, b) { return a - b; });
    return this.loadShards(numbers).then(function () {
      return Promise.all(loaded.concat(numbers).filter(function (number, position, list) {
        return list.indexOf(number) === position;
      }).sort(function (a, b) { return a - b; }).map(function (number) {
        return self.shardData[number].then(function (data) { return [number, data]; }, function () { return null; });
      }));
    }).then(function (pairs) {
      pairs = pairs.filter(Boolean);
      var key = pairs.map(function (pair) { return pair[0]; }).join(",");
      if (key !== self.indexKey || !self.index) {
        self.index = self.lunr.Index.load(mergeShards(self.manifest, pairs.map(function (pair) { return pair[1]; })));
        self.indexKey = key;
      }
      return self.index;
    });
  };

  /*
   * The loaded index terms that start with `prefix`, the exact one first, then the most
   * frequent ones until about PREFIX_POSTINGS postings (a quarter of that for one letter):
   * a short prefix such as "o" would otherwise expand to thousands of terms and take seconds.
   */
  Searcher.prototype.expand = function (index, prefix) {
    if (!this.sortedTerms || this.sortedTermsOf !== index) {
      this.sortedTerms = Object.keys(index.invertedIndex).sort();
      this.sortedTermsOf = index;
      this.frequencies = Object.create(null);
    }
    var terms = this.sortedTerms;
    var low = 0;
    var high = terms.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (terms[middle] < prefix) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    var found = [];
    for (var i = low; i < terms.length && terms[i].lastIndexOf(prefix, 0) === 0; i++) {
      found.push(terms[i]);
    }
    var frequencies = this.frequencies;
    var fields = this.manifest.fields;
    found.forEach(function (term) {
      if (!(term in frequencies)) {
        var posting = index.invertedIndex[term];
        frequencies[term] = fields.reduce(function (sum, field) {
          return sum + Object.keys(posting[field] || {}).length;
        }, 0);
      }
    });
    found.sort(function (a, b) {
      return (b === prefix) - (a === prefix) || frequencies[b] - frequencies[a] || (a < b ? -1 : a > b ? 1 : 0);
    });
    var chosen = [];
    var budget = 0;
    var limit = prefix.length === 1 ? PREFIX_POSTINGS / 4 : PREFIX_POSTINGS;
    for (var j = 0; j < found.length && (j === 0 || budget + frequencies[found[j]] <= limit); j++) {
      chosen.push(found[j]);
      budget += frequencies[found[j]];
    }
    return chosen;
  };

  Searcher.prototype.run = function (index, plan) {
    var self = this;
    if (plan.mode === "syntax") {
      return index.search(plan.text);
    }
    var accepted = plan.words.map(function (word) {
      var terms = word.prefix ? self.expand(index, word.term) : [word.term];
      var set = Object.create(null);
      terms.forEach(function (term) { set[term] = true; });
      return { terms: terms, set: set, exact: word.term };
    });
    if (accepted.some(function (group) { return group.terms.length === 0; })) {
      return [];
    }
    var found = index.query(function (query) {
      accepted.forEach(function (group) {
        group.terms.forEach(function (term) {
          query.term(term, { usePipeline: false, boost: term === group.exact ? EXACT_BOOST : 1 });
        });
      });
    });
    return found.filter(function (result) {
      var matched = result.matchData.metadata;
      return accepted.every(function (group) {
        for (var term in matched) {
          if (group.set[term] === true) {
            return true;
          }
        }
        return false;
      });
    });
  };

  /* A query as the index was built: spellings folded (see Folder), wide dashes as spaces. */
  Searcher.prototype.prepare = function (text) {
    return this.folder.query(text).replace(WIDE_DASHES, " ");
  };

  /*
   * text -> Promise of {text, mode, total, results: [{ref, score, terms, doc}], closest:
   * [{text, query}]}; `closest` (index words near the query's unknown words, and the query
   * each would make) only when nothing was found.
   * Never rejects for a bad query: syntax that lunr cannot parse or run is searched as words.
   */
  Searcher.prototype.search = function (text) {
    var self = this;
    var lunr = this.lunr;
    return this.start().then(function () {
      var prepared = self.prepare(text);
      var plan = makePlan(lunr, prepared, self.manifest.fields, self.pipeline);
      if (plan.mode === "empty" || plan.mode === "stopwords") {
        return { text: text, mode: plan.mode, total: 0, results: [], closest: [] };
      }
      return self.indexFor(shardsFor(self.manifest.shards, plan)).then(function (index) {
        var found;
        try {
          found = self.run(index, plan);
        } catch (error) {
          if (plan.mode !== "syntax") {
            throw error;
          }
          plan = plainPlan(lunr, prepared);
          if (plan.words.length === 0) {
            return { text: text, mode: plan.mode, total: 0, results: [], closest: [] };
          }
          return self.indexFor(shardsFor(self.manifest.shards, plan)).then(function (plainIndex) {
            return self.collect(text, plan, self.run(plainIndex, plan), plainIndex);
          });
        }
        return self.collect(text, plan, found, index);
      });
    });
  };

  /* The outcome of a search: the first MAX_RESULTS results with their records (fetched). */
  Searcher.prototype.collect = function (text, plan, found, index) {
    var self = this;
    var results = found.filter(function (result) { return self.partOf(result.ref) >= 0; });
    var first = results.slice(0, MAX_RESULTS);
    var closest = results.length === 0 && plan.mode === "plain"
      ? this.closest(index, plan) : Promise.resolve([]);
    return Promise.all([
      this.loadDocs(first.map(function (result) { return result.ref; })),
      closest
    ]).then(function (done) {
      return {
        text: text,
        mode: plan.mode,
        total: results.length,
        results: first.filter(function (result) {
          return self.doc(result.ref) !== undefined;
        }).map(function (result) {
          return {
            ref: result.ref,
            score: result.score,
            terms: Object.keys(result.matchData.metadata),
            doc: self.doc(result.ref)
          };
        }),
        closest: done[1]
      };
    });
  };

  /* ------------------------------------------------------------ closest words */

  /* Optimal string alignment distance (a swap of two letters counts one), or limit + 1. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) {
      return limit + 1;
    }
    var before = [];
    var previous = [];
    var current = [];
    var i;
    var j;
    for (j = 0; j <= b.length; j++) {
      previous[j] = j;
    }
    for (i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, before[j - 2] + 1);
        }
        current[j] = value;
        best = Math.min(best, value);
      }
      if (best > limit) {
        return limit + 1;
      }
      before = previous;
      previous = current;
    }
    return previous[b.length];
  }

  Searcher.prototype.postings = function (index, term) {
    var posting = index.invertedIndex[term];
    return this.manifest.fields.reduce(function (sum, field) {
      return sum + Object.keys(posting[field] || {}).length;
    }, 0);
  };

  /*
   * For each word of a plain query that no loaded index term matches, the index terms within
   * one edit (words of up to SHORT_WORD letters) or two, the nearest and most used first, at
   * most MAX_CLOSEST in all: a Promise of each as the word to show and the query it makes.
   */
  Searcher.prototype.closest = function (index, plan) {
    var self = this;
    var shown = plan.words.map(function (word) { return self.folder.names[word.text] || word.text; });
    var candidates = this.nearTerms(index, plan);
    var suggestions = [];
    var seen = Object.create(null);
    /* a batch at a time: the records that show how a term is written are fetched for it */
    function next(start) {
      var batch = candidates.slice(start, start + MAX_CLOSEST);
      var refs = [];
      batch.forEach(function (candidate) { refs = refs.concat(self.displayRefs(index, candidate.term)); });
      return self.loadDocs(refs).then(function () {
        batch.forEach(function (candidate) {
          var text = self.display(index, candidate.term);
          var query = shown.slice();
          query[candidate.position] = text;
          query = query.join(" ");
          if (!(query in seen)) {
            seen[query] = true;
            suggestions.push({ text: text, query: query });
          }
        });
        if (suggestions.length < MAX_CLOSEST && start + MAX_CLOSEST < candidates.length) {
          return next(start + MAX_CLOSEST);
        }
        return suggestions.slice(0, MAX_CLOSEST);
      });
    }
    return next(0);
  };

  /* The index terms near the unknown words of a plain query, in the order `closest` offers them. */
  Searcher.prototype.nearTerms = function (index, plan) {
    var self = this;
    var terms = Object.keys(index.invertedIndex).sort();
    var candidates = [];
    plan.words.forEach(function (word, position) {
      var known = word.prefix
        ? self.expand(index, word.term).length > 0
        : word.term in index.invertedIndex;
      if (known) {
        return;
      }
      var limit = word.term.length <= SHORT_WORD ? 1 : 2;
      var near = [];
      terms.forEach(function (term) {
        var apart = distance(word.term, term, limit);
        if (apart <= limit && term !== word.term) {
          near.push({ term: term, apart: apart, postings: self.postings(index, term) });
        }
      });
      near.sort(function (a, b) {
        return a.apart - b.apart || b.postings - a.postings ||
          (a.term < b.term ? -1 : a.term > b.term ? 1 : 0);
      });
      near.forEach(function (candidate) {
        candidates.push({ term: candidate.term, position: position });
      });
    });
    return candidates;
  };

  /*
   * An index term as a reader would write it: a fold's name, else a word of a claim or a
   * snippet that has the term (the term itself is a stem, "attornei"), else the term.
   */
  Searcher.prototype.display = function (index, term) {
    var lunr = this.lunr;
    var folder = this.folder;
    for (var folded in folder.names) {
      if (stem(lunr, folded) === term) {
        return folder.names[folded];
      }
    }
    var refs = this.displayRefs(index, term);
    for (var i = 0; i < refs.length; i++) {
      var doc = this.doc(refs[i]);
      var text = doc ? doc.t + " " + doc.x : "";
      var found = text.match(WORD) || [];
      for (var j = 0; j < found.length; j++) {
        var word = trim(found[j].toLowerCase());
        if (word && stem(lunr, word) === term) {
          return word;
        }
      }
    }
    return term;
  };

  /* The refs whose records `display` reads for a term: the first DISPLAY_DOCS that have it. */
  Searcher.prototype.displayRefs = function (index, term) {
    var posting = index.invertedIndex[term];
    var refs = [];
    this.manifest.fields.forEach(function (field) {
      refs = refs.concat(Object.keys(posting[field] || {}));
    });
    return refs.filter(function (ref, position) {
      return refs.indexOf(ref) === position;
    }).sort().slice(0, DISPLAY_DOCS);
  };

  /* ------------------------------------------------------------ highlighting */

  /*
   * text -> [{text, mark}] where mark is true for the words whose index term was matched, and
   * for the spellings (with `folder`) whose fold's term was matched: the text stays as written.
   */
  function highlight(lunr, text, terms, folder) {
    var wanted = Object.create(null);
    terms.forEach(function (term) { wanted[term] = true; });
    var spans = [];
    (folder ? folder.spans(text) : []).forEach(function (span) {
      if (wanted[stem(lunr, span.term)] === true) {
        spans.push([span.start, span.end]);
      }
    });
    var found;
    WORD.lastIndex = 0;
    while ((found = WORD.exec(text)) !== null) {
      var word = found[0];
      var key = trim(word.toLowerCase());
      if (key && !isStopWord(lunr, key) && wanted[stem(lunr, key)] === true) {
        var lead = LEAD.exec(word)[0].length;
        var trail = TRAIL.exec(word.slice(lead))[0].length;
        if (word.length - trail > lead) {
          spans.push([found.index + lead, found.index + word.length - trail]);
        }
      }
    }
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pieces = [];
    var last = 0;
    spans.forEach(function (span) {
      if (span[0] < last) {
        return;
      }
      if (span[0] > last) {
        pieces.push({ text: text.slice(last, span[0]), mark: false });
      }
      pieces.push({ text: text.slice(span[0], span[1]), mark: true });
      last = span[1];
    });
    if (last < text.length) {
      pieces.push({ text: text.slice(last), mark: false });
    }
    return pieces;
  }

  /* ------------------------------------------------------------ the page */

  function clear(element) {
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
  }

  function appendMarked(document, parent, pieces) {
    pieces.forEach(function (piece) {
      if (piece.mark) {
        var mark = document.createElement("mark");
        mark.textContent = piece.text;
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(piece.text));
      }
    });
  }

  function renderResult(document, lunr, folder, result) {
    var doc = result.doc;
    var item = document.createElement("li");
    item.className = "result";
    var badge = document.createElement("span");
    badge.className = "badge badge-" + (STATUS.test(doc.s) ? doc.s : "unknown");
    badge.textContent = doc.l;
    var link = document.createElement("a");
    link.className = "result-title";
    link.setAttribute("href", doc.u);
    appendMarked(document, link, highlight(lunr, doc.t, result.terms, folder));
    var snippet = document.createElement("p");
    snippet.className = "result-snippet";
    appendMarked(document, snippet, highlight(lunr, doc.x, result.terms, folder));
    item.appendChild(badge);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(link);
    item.appendChild(snippet);
    return item;
  }

  function statusText(outcome) {
    var quoted = "\u201c" + outcome.text.trim() + "\u201d";
    if (outcome.mode === "empty") {
      return "Type a word from a claim, a quote or an outlet\u2019s name.";
    }
    if (outcome.mode === "stopwords") {
      return "No results for " + quoted + ": words this common are not indexed.";
    }
    if (outcome.total === 0) {
      return "No results for " + quoted + ".";
    }
    var count = outcome.total === 1 ? "1 result" : outcome.total + " results";
    if (outcome.total > outcome.results.length) {
      return count + " for " + quoted + "; showing the first " + outcome.results.length + ".";
    }
    return count + " for " + quoted + ".";
  }

  function fetchJson(window) {
    return function (url) {
      return window.fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) {
          throw new Error(url + ": HTTP " + response.status);
        }
        return response.json();
      });
    };
  }

  function attach(window) {
    var document = window.document;
    var form = document.getElementById("search-form");
    var input = document.getElementById("search-input");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var nojs = document.getElementById("search-nojs");
    var none = document.getElementById("search-none");
    var closest = document.getElementById("search-closest");
    var closestList = document.getElementById("search-closest-list");
    var header = document.getElementById("site-search-q");
    var script = document.getElementById("search-script");
    if (!form || !input || !status || !list || !script) {
      return null;
    }
    var lunr = window.lunr;
    if (!lunr) {
      status.textContent = "Search could not start. Browse all claims instead.";
      return null;
    }
    if (nojs) {
      nojs.hidden = true;
    }
    var searcher = new Searcher(lunr, fetchJson(window), script.getAttribute("data-index-url"));
    var asked = 0;
    var shown = "";

    function links() {
      return Array.prototype.slice.call(list.querySelectorAll("a.result-title"));
    }

    /* The header's search box says what the page searches for, as the page's own box does. */
    function remember(text) {
      if (header) {
        header.value = text;
      }
      if (!window.history || !window.history.replaceState) {
        return;
      }
      var url = new window.URL(window.location.href);
      if (text.trim()) {
        url.searchParams.set("q", text);
      } else {
        url.searchParams.delete("q");
      }
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }

    /* Under no results: the closest words of the index, each a link that searches for it. */
    function offer(outcome) {
      if (!none) {
        return;
      }
      none.hidden = !outcome || outcome.mode === "empty" || outcome.total > 0;
      if (!closest || !closestList) {
        return;
      }
      clear(closestList);
      var suggestions = outcome && !none.hidden ? outcome.closest || [] : [];
      suggestions.forEach(function (suggestion) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        var params = new window.URLSearchParams({ q: suggestion.query });
        link.setAttribute("href", form.getAttribute("action") + "?" + params.toString());
        link.setAttribute("data-query", suggestion.query);
        link.textContent = suggestion.text;
        item.appendChild(link);
        closestList.appendChild(item);
      });
      closest.hidden = suggestions.length === 0;
    }

    function show(text) {
      var ticket = ++asked;
      if (!text.trim()) {
        clear(list);
        offer(null);
        shown = "";
        status.textContent = "";
        list.setAttribute("data-query", text);
        return Promise.resolve(null);
      }
      if (!searcher.manifest) {
        status.textContent = "Loading the search index\u2026";
      }
      return searcher.search(text).then(function (outcome) {
        if (ticket !== asked) {
          return outcome;
        }
        clear(list);
        outcome.results.forEach(function (result) {
          list.appendChild(renderResult(document, lunr, searcher.folder, result));
        });
        offer(outcome);
        shown = text;
        status.textContent = statusText(outcome);
        list.setAttribute("data-query", text);
        return outcome;
      }).catch(function (error) {
        if (window.console) {
          window.console.error("search: " + (error && error.message ? error.message : error));
        }
        if (ticket === asked) {
          clear(list);
          offer(null);
          status.textContent = "Search is not available right now. Browse all claims instead.";
          list.setAttribute("data-query", text);
          if (nojs) {
            nojs.hidden = false;
          }
        }
        return null;
      });
    }

    input.addEventListener("focus", function () {
      searcher.start().catch(function () { return null; });
    });
    input.addEventListener("input", function () {
      remember(input.value);
      show(input.value);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && links().length) {
        event.preventDefault();
        links()[0].focus();
      } else if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        remember("");
        show("");
      }
    });
    list.addEventListener("keydown", function (event) {
      var all = links();
      var position = all.indexOf(document.activeElement);
      if (position < 0) {
        return;
      }
      if (event.key === "ArrowDown" && position + 1 < all.length) {
        event.preventDefault();
        all[position + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (position > 0 ? all[position - 1] : input).focus();
      }
    });
    if (closestList) {
      closestList.addEventListener("click", function (event) {
        var link = event.target && event.target.closest ? event.target.closest("a[data-query]") : null;
        if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
          return;
        }
        event.preventDefault();
        input.value = link.getAttribute("data-query");
        remember(input.value);
        input.focus();
        show(input.value);
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      remember(input.value);
      var pending = shown === input.value ? Promise.resolve(null) : show(input.value);
      pending.then(function () {
        var all = links();
        if (all.length) {
          all[0].focus();
        }
      });
    });

    var params = new window.URLSearchParams(window.location.search);
    var initial = params.get("q");
    if (initial) {
      input.value = initial;
      if (header) {
        header.value = initial;
      }
      show(initial);
    }
    return { searcher: searcher, show: show };
  }

  return {
    Searcher: Searcher,
    makePlan: makePlan,
    plainPlan: plainPlan,
    Folder: Folder,
    trim: trim,
    words: words,
    shardsFor: shardsFor,
    mergeShards: mergeShards,
    highlight: highlight,
    attach: attach
  };
});
