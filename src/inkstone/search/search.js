/* inkstone · search: a small UI over Pagefind's JavaScript API.
 *
 * Loaded only when search is used: theme.js imports it when the dialog is first opened
 * (Ctrl-K, "/" or the header's search link) and the search page loads it itself. Pagefind
 * (pagefind.js and its WebAssembly) is imported from the site on the first query; nothing
 * is fetched from anywhere else.
 *
 * A big site's index is split into shards (see inkstone.search.index): /pagefind/ is the
 * first, and shards.json beside pagefind.js lists the folders of the others, which are
 * merged into it (Pagefind's mergeIndex) before the first search; a query then searches
 * them all and gets one list, ranked by score. A site with one shard lists none.
 * Result URLs already hold the site's base path (the pages were indexed under it), so
 * Pagefind is told not to add it again (baseUrl "/").
 *
 * Every [data-search] box holds an input, a status line and a results list. Results are
 * links with the page's title, date and an excerpt in which Pagefind marks the matched
 * words. The index holds CJK text a character at a time (inkstone spaces the characters
 * apart before Pagefind reads a page), so a query is run as several searches
 * (pagefindQueries): its other words as typed, and each CJK run as an exact phrase of its
 * characters, which finds the pages holding the run wherever it is in a sentence; a page
 * is a candidate when every search finds it. Every candidate's text is then checked for
 * the whole query (queryTerms, containsTerms) before it is listed. The spaces between CJK
 * characters are removed from the excerpts and titles shown.
 */

const RESULTS_SHOWN = 12;
const CHECKED_MAX = 60;
/** Candidates whose text is checked against the query before the list is cut short. */
const CJK = "[\\u2e80-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef]";
const GAP = "(?:\\s|</?mark>)*\\s(?:\\s|</?mark>)*";
const CJK_GAP = new RegExp(`(${CJK})(${GAP})(?=${CJK})`, "gu");
const CJK_GAP_TEXT = new RegExp(`(${CJK})\\s+(?=${CJK})`, "gu");
/** Full-width punctuation (，。：（）…), which holds its own space: a gap beside it ("RoPE ：用",
 * "（ self-attention ）") is the index's spacing, and Chinese typography has none there. */
const FULL_WIDTH_PUNCTUATION = "[\\u3000-\\u303f\\uff01-\\uff0f\\uff1a-\\uff20\\uff3b-\\uff40\\uff5b-\\uff65]";
const PUNCTUATION_GAP = new RegExp(`${GAP}(?=${FULL_WIDTH_PUNCTUATION})|(?<=${FULL_WIDTH_PUNCTUATION})${GAP}`, "gu");
const PUNCTUATION_GAP_TEXT = new RegExp(`\\s+(?=${FULL_WIDTH_PUNCTUATION})|(?<=${FULL_WIDTH_PUNCTUATION})\\s+`, "gu");
const CJK_PUNCTUATION = /[\u3000-\u303f\uff00-\uffef]+/u;
const CJK_RUNS = new RegExp(`${CJK}+`, "gu");

const PAGEFIND_OPTIONS = { excerptLength: 36, baseUrl: "/" };

let pagefindPromise = null;

/** The addresses of the index's other shards, from shards.json beside pagefind.js (whose
 * address is bundle): an empty list for a site with one shard; none either when there is
 * no such file (an index made before shards: the host answers 404, 403 as S3 does, or a
 * page of its own that is not JSON). */
async function otherShards(bundle) {
  const manifest = new URL("shards.json", bundle);
  const response = await fetch(manifest, { cache: "no-cache" });
  if (response.status >= 400 && response.status < 500) return [];
  if (!response.ok) throw new Error(`${manifest}: HTTP ${response.status}`);
  let shards;
  try {
    ({ shards } = await response.json());
  } catch {
    return [];
  }
  return Array.isArray(shards) ? shards.map((folder) => new URL(folder, manifest).href) : [];
}

/** Pagefind's API, imported once per page, with every shard of the index merged. */
function loadPagefind(url) {
  if (!pagefindPromise) {
    const bundle = new URL(url, import.meta.url);
    pagefindPromise = Promise.all([import(bundle.href), otherShards(bundle)]).then(
      async ([pagefind, shards]) => {
        try {
          await pagefind.options({ ...PAGEFIND_OPTIONS });
          pagefind.init();
          await Promise.all(shards.map((shard) => pagefind.mergeIndex(shard, { ...PAGEFIND_OPTIONS })));
        } catch (error) {
          await pagefind.destroy(); // the next query starts afresh
          throw error;
        }
        return pagefind;
      },
    );
    pagefindPromise.catch(() => { pagefindPromise = null; });
  }
  return pagefindPromise;
}

/** Remove the word separators inkstone added between CJK characters and beside full-width
 * punctuation, from an excerpt's HTML (the <mark> tags stay). */
export function joinCjk(html) {
  return html
    .replace(CJK_GAP, (match, first, gap) => first + gap.replace(/\s+/g, ""))
    .replace(PUNCTUATION_GAP, (gap) => gap.replace(/\s+/g, ""));
}

/** joinCjk for plain text (a title). */
export function joinCjkText(text) {
  return text.replace(CJK_GAP_TEXT, "$1").replace(PUNCTUATION_GAP_TEXT, "");
}

/** What a page must contain to be a result, from the query: each run of CJK text as it
 * is (substring), each other word as the start of a word, with a light English stem
 * (caching finds cache). Pagefind finds the candidates by its words; this check drops the
 * ones it found by a part of the query only (量 for 量子纠缠, math for mathbb). */
export function queryTerms(query) {
  const terms = [];
  for (const run of query.toLowerCase().match(new RegExp(`${CJK}+|[^\\s]+?(?=${CJK}|\\s|$)`, "gu")) || []) {
    if (new RegExp(`^${CJK}`, "u").test(run)) {
      for (const han of run.split(CJK_PUNCTUATION)) if (han) terms.push({ cjk: true, text: han });
      continue;
    }
    const word = run.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    if (!word) continue;
    const stem = word.length > 4 ? word.replace(/(?:ing|ed|es|s|e)$/u, "") : word;
    terms.push({ cjk: false, text: stem });
  }
  return terms;
}

/** The searches that find a query's candidates: one for its words other than CJK, as
 * typed, then an exact search for each CJK term, its characters apart as the index has
 * them (so that they are found next to each other, in that order). */
export function pagefindQueries(query, terms) {
  const searches = [];
  const words = query.replace(CJK_RUNS, " ").trim();
  if (words) searches.push(words);
  for (const term of terms) if (term.cjk) searches.push(`"${[...term.text].join(" ")}"`);
  return searches.length ? searches : [query];
}

/** The pages found by every search of the query, in the first one's order. */
async function candidates(pagefind, query, terms) {
  const found = await Promise.all(pagefindQueries(query, terms).map((q) => pagefind.search(q)));
  const [first, ...others] = found.map((search) => search.results);
  const ids = others.map((results) => new Set(results.map((result) => result.id)));
  return first.filter((result) => ids.every((set) => set.has(result.id)));
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether a page's text (as Pagefind returns it) has every term of the query. */
export function containsTerms(content, terms) {
  const text = content.replace(/\u200b/g, "").replace(CJK_GAP_TEXT, "$1").toLowerCase();
  return terms.every((term) =>
    term.cjk
      ? text.replace(/\s+/g, "").includes(term.text)
      : new RegExp(`(?:^|[^\\p{L}\\p{N}])${escapeRegExp(term.text)}`, "u").test(text),
  );
}

/** Nodes for Pagefind's excerpt HTML: its text and <mark> elements, nothing else. */
function excerptNodes(html) {
  const parsed = new DOMParser().parseFromString(joinCjk(html), "text/html");
  const nodes = [];
  for (const node of parsed.body.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) nodes.push(document.createTextNode(node.textContent));
    else if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else nodes.push(document.createTextNode(node.textContent || ""));
  }
  return nodes;
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "search-result";
  const link = document.createElement("a");
  link.href = data.url;
  const title = document.createElement("span");
  title.className = "search-result-title";
  title.textContent = joinCjkText(data.meta && data.meta.title ? data.meta.title : data.url);
  link.append(title);
  if (data.meta && data.meta.date) {
    const date = document.createElement("time");
    date.className = "search-result-date";
    date.textContent = data.meta.date;
    link.append(date);
  }
  const excerpt = document.createElement("span");
  excerpt.className = "search-result-excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  link.append(excerpt);
  item.append(link);
  return item;
}

/** Wire one [data-search] box; returns a function that runs a query in it. */
export function mount(box) {
  if (box.inkstoneSearch) return box.inkstoneSearch;
  const input = box.querySelector(".search-input");
  const status = box.querySelector(".search-status");
  const list = box.querySelector(".search-results");
  const labels = box.dataset;
  let latest = 0;

  async function run(query) {
    const ticket = ++latest;
    if (!query.trim()) {
      list.replaceChildren();
      status.textContent = "";
      box.dataset.searched = "";
      return;
    }
    status.textContent = labels.labelLoading;
    box.setAttribute("aria-busy", "true");
    try {
      const pagefind = await loadPagefind(box.dataset.pagefind);
      const terms = queryTerms(query);
      const found = await candidates(pagefind, query, terms);
      const shown = [];
      let checked = 0;
      let verified = 0;
      while (shown.length < RESULTS_SHOWN && checked < found.length && checked < CHECKED_MAX) {
        const batch = found.slice(checked, checked + RESULTS_SHOWN);
        checked += batch.length;
        for (const data of await Promise.all(batch.map((r) => r.data()))) {
          if (!containsTerms(data.content || "", terms)) continue;
          verified += 1;
          if (shown.length < RESULTS_SHOWN) shown.push(data);
        }
        if (ticket !== latest) return; // a newer query has started
      }
      if (ticket !== latest) return;
      list.replaceChildren(...shown.map(resultItem));
      const more = checked < found.length ? "+" : "";
      status.textContent = shown.length
        ? labels.labelCount.replace("{n}", String(verified) + more)
        : labels.labelNone.replace("{n}", query.trim());
      box.dataset.searched = query; // what the list shows now (for scripts and tests)
    } catch (error) {
      if (ticket === latest) status.textContent = labels.labelFailed;
      throw error;
    } finally {
      if (ticket === latest) box.removeAttribute("aria-busy");
    }
  }

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 120);
  });
  box.querySelector(".search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });
  // Arrow keys move between the box and the results.
  box.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const stops = [input, ...list.querySelectorAll("a")];
    const at = stops.indexOf(document.activeElement);
    if (at < 0) return;
    const next = at + (event.key === "ArrowDown" ? 1 : -1);
    if (next >= 0 && next < stops.length) {
      event.preventDefault();
      stops[next].focus();
    }
  });
  const param = box.dataset.searchQueryParam;
  if (param) {
    const query = new URLSearchParams(location.search).get(param);
    if (query) {
      input.value = query;
      run(query);
    }
  }
  box.inkstoneSearch = run;
  return run;
}

/** Open the search dialog (modal: the page behind is inert), focus its box, keep Tab
 * inside it, and give focus back to where it was when it closes (Esc, the close button
 * or a click on the backdrop). */
export function openDialog(dialog) {
  if (dialog.open) return;
  const box = dialog.querySelector("[data-search]");
  mount(box);
  if (!dialog.dataset.wired) {
    dialog.dataset.wired = "true";
    dialog.querySelector(".search-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // the backdrop
    });
    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const stops = [...dialog.querySelectorAll("button, input, a[href]")];
      const first = stops[0];
      const last = stops[stops.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.addEventListener("close", () => {
      if (dialog.returnFocus && dialog.returnFocus.isConnected) dialog.returnFocus.focus();
    });
  }
  dialog.returnFocus = document.activeElement;
  dialog.showModal();
  const input = box.querySelector(".search-input");
  input.focus();
  input.select();
}

for (const box of document.querySelectorAll(".search-page [data-search]")) mount(box);
