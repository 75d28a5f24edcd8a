/* search.js: the search page's query -> results from the lunr.js index shards and the store. */
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
  var WORD = /[^\s\-]+/g;
  var STATUS = /^[a-z][a-z-]*$/;

  /* ------------------------------------------------------------ text as lunr.js sees it */

  function words(lunr, text) {
    return lunr.tokenizer(text).map(function (token) {
      return lunr.trimmer(token).toString();
    }).filter(function (word) {
      return word !== "";
    });
  }

  function isStopWord(lunr, word) {
    return !lunr.stopWordFilter(new lunr.Token(word));
  }

  function stem(lunr, word) {
    return lunr.stemmer(new lunr.Token(word)).toString();
  }

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
        plan.words.push({ term: stemmed, prefix: true });
        plan.prefixes.push(stemmed);
      } else {
        plan.words.push({ term: stemmed, prefix: false });
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
          return self.fetchJson(manifest.store);
        })
        .then(function (store) {
          self.store = store;
          return self;
        });
      this.started.catch(function () { self.started = null; });
    }
    return this.started;
  };

  Searcher.prototype.loadShards = function (numbers) {
    var self = this;
    return Promise.all(numbers.map(function (number) {
      if (!self.shardData[number]) {
        self.shardData[number] = self.fetchJson(self.manifest.shards[number][1]);
        self.shardData[number].catch(function () { delete self.shardData[number]; });
      }
      return self.shardData[number];
    }));
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

  /*
   * text -> Promise of {text, mode, total, results: [{ref, score, terms, doc}]}.
   * Never rejects for a bad query: syntax that lunr cannot parse or run is searched as words.
   */
  Searcher.prototype.search = function (text) {
    var self = this;
    var lunr = this.lunr;
    return this.start().then(function () {
      var plan = makePlan(lunr, text, self.manifest.fields, self.pipeline);
      if (plan.mode === "empty" || plan.mode === "stopwords") {
        return { text: text, mode: plan.mode, total: 0, results: [] };
      }
      return self.indexFor(shardsFor(self.manifest.shards, plan)).then(function (index) {
        var found;
        try {
          found = self.run(index, plan);
        } catch (error) {
          if (plan.mode !== "syntax") {
            throw error;
          }
          plan = plainPlan(lunr, text);
          if (plan.words.length === 0) {
            return { text: text, mode: plan.mode, total: 0, results: [] };
          }
          return self.indexFor(shardsFor(self.manifest.shards, plan)).then(function (plainIndex) {
            return self.collect(text, plan, self.run(plainIndex, plan));
          });
        }
        return self.collect(text, plan, found);
      });
    });
  };

  Searcher.prototype.collect = function (text, plan, found) {
    var self = this;
    var results = found.filter(function (result) {
      return Object.prototype.hasOwnProperty.call(self.store, result.ref);
    });
    return {
      text: text,
      mode: plan.mode,
      total: results.length,
      results: results.slice(0, MAX_RESULTS).map(function (result) {
        return {
          ref: result.ref,
          score: result.score,
          terms: Object.keys(result.matchData.metadata),
          doc: self.store[result.ref]
        };
      })
    };
  };

  /* ------------------------------------------------------------ highlighting */

  /* text -> [{text, mark}] where mark is true for the words whose index term was matched. */
  function highlight(lunr, text, terms) {
    var wanted = {};
    terms.forEach(function (term) { wanted[term] = true; });
    var pieces = [];
    var last = 0;
    var found;
    WORD.lastIndex = 0;
    while ((found = WORD.exec(text)) !== null) {
      var word = found[0];
      var key = lunr.trimmer(new lunr.Token(word.toLowerCase())).toString();
      if (key && !isStopWord(lunr, key) && wanted[stem(lunr, key)] === true) {
        var lead = /^\W*/.exec(word)[0].length;
        var trail = /\W*$/.exec(word.slice(lead))[0].length;
        var begin = found.index + lead;
        var end = found.index + word.length - trail;
        if (end <= begin) {
          continue;
        }
        if (begin > last) {
          pieces.push({ text: text.slice(last, begin), mark: false });
        }
        pieces.push({ text: text.slice(begin, end), mark: true });
        last = end;
      }
    }
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

  function renderResult(document, lunr, result) {
    var doc = result.doc;
    var item = document.createElement("li");
    item.className = "result";
    var badge = document.createElement("span");
    badge.className = "badge badge-" + (STATUS.test(doc.s) ? doc.s : "unknown");
    badge.textContent = doc.l;
    var link = document.createElement("a");
    link.className = "result-title";
    link.setAttribute("href", doc.u);
    appendMarked(document, link, highlight(lunr, doc.t, result.terms));
    var snippet = document.createElement("p");
    snippet.className = "result-snippet";
    appendMarked(document, snippet, highlight(lunr, doc.x, result.terms));
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

    function remember(text) {
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

    function show(text) {
      var ticket = ++asked;
      if (!text.trim()) {
        clear(list);
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
          list.appendChild(renderResult(document, lunr, result));
        });
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
      show(initial);
    }
    return { searcher: searcher, show: show };
  }

  return {
    Searcher: Searcher,
    makePlan: makePlan,
    plainPlan: plainPlan,
    shardsFor: shardsFor,
    mergeShards: mergeShards,
    highlight: highlight,
    attach: attach
  };
});
