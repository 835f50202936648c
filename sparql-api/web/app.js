// civicgraph's web page: search by text, pattern and facets; record pages; a SPARQL editor;
// the sources. Every value from the server is put in the page as text (textContent or a
// text node), never as HTML; links are made only from http(s) URLs. The state of each view
// is in the URL's hash, so every search can be bookmarked and shared.
"use strict";

const FACETS = [
  ["type", "Type"], ["method", "How the pattern was assigned"], ["theme", "Theme"],
  ["beneficiary", "Who benefits"], ["enabler", "Enabler"], ["actor", "Who acts"], ["channel", "Channel"],
  ["benefit", "Benefit of co-creation"],
  ["publisher", "Publisher"], ["catalogue", "Catalogue"], ["region", "Region"], ["country", "Country"],
  ["format", "Format"], ["licence", "Licence"], ["year", "Year"],
];
const TYPES = { "dataset": "Dataset", "case-study": "Case study", "catalogue": "Catalogue" };
let patternsCache = null;
let examplesCache = null;

// ---------------------------------------------------------------- small helpers

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  // Children nest as arrays (a list of [separator, link] pairs): flattened whole, so that no
  // array is written out as text with its commas.
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url.trim()) ? url.trim() : null;
}

function externalLink(url, text) {
  const safe = safeUrl(url);
  return safe ? el("a", { href: safe, rel: "noopener noreferrer nofollow" }, text || safe) : document.createTextNode(text || String(url));
}

function recordHref(iri) {
  return "#/record/" + encodeURIComponent(iri);
}

function announce(message) {
  document.getElementById("status").textContent = message;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function errorBox(error) {
  return el("p", { class: "error", role: "alert" }, String(error.message || error));
}

// The server escapes snippets and marks matches with <b>; this turns them into text nodes
// and <b> elements without ever parsing HTML.
function snippetNodes(snippet) {
  const decode = (s) => s.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (m, code) => {
    const named = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" }[code.toLowerCase()];
    if (named) return named;
    const n = code[1] === "x" || code[1] === "X" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
    return Number.isFinite(n) ? String.fromCodePoint(n) : m;
  });
  const nodes = [];
  let bold = false;
  for (const part of String(snippet || "").split(/(<b>|<\/b>)/)) {
    if (part === "<b>") bold = true;
    else if (part === "</b>") bold = false;
    else if (part) nodes.push(bold ? el("b", {}, decode(part)) : document.createTextNode(decode(part)));
  }
  return nodes;
}

function patternBadge(p) {
  const method = p.method === "curated" ? "curated" : "inferred";
  const confidence = method === "inferred" ? ` ${Math.round(p.confidence * 100)}%` : "";
  return el("li", { class: "badge " + p.pattern, title: `${p.label}: ${method}${confidence}` },
    `${p.label} · ${method}${confidence}`);
}

function setCurrentNav(name) {
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
}

function show(view, title) {
  const main = document.getElementById("main");
  main.replaceChildren(view);
  document.title = title ? `${title} · civicgraph` : "civicgraph";
}

// ---------------------------------------------------------------- routing

// Each route change renders into a fresh view; `main` is aria-busy until the latest one has
// settled, and then names the route it shows in data-rendered. Assistive technology learns
// when the content is ready, and a render overtaken by a newer one never marks it settled.
let routes = 0;

function route() {
  if (activeEditor && !location.hash.startsWith("#/sparql")) { activeEditor.destroy(); activeEditor = null; }
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const main = document.getElementById("main");
  const generation = ++routes;
  main.setAttribute("aria-busy", "true");
  const rendering = path.startsWith("/record/") ? renderRecord(decodeURIComponent(path.slice(8)))
    : path === "/sparql" ? renderSparql(params)
    : path === "/sources" ? renderSources()
    : renderSearch(params);
  Promise.resolve(rendering).finally(() => {
    if (generation !== routes) return;
    main.setAttribute("aria-busy", "false");
    main.dataset.rendered = location.hash;
  });
}

// A search written as an ordinary query string (`/?q=air+quality&pattern=planning`, as a
// catalogue's `/dataset?q=` is) opens as that search; the page keeps it after the `#`.
function start() {
  if (!location.hash && location.search.length > 1) {
    history.replaceState(null, "", location.pathname + "#/" + location.search);
  }
  route();
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", start);

// ---------------------------------------------------------------- search

async function patterns() {
  if (!patternsCache) patternsCache = (await getJson("/api/patterns")).patterns;
  return patternsCache;
}

function go(params) {
  const query = params.toString();
  location.hash = "#/" + (query ? "?" + query : "");
}

async function renderSearch(params) {
  setCurrentNav("search");
  const q = params.get("q") || "";
  const chosen = new Set(params.getAll("pattern"));
  const input = el("input", { type: "search", id: "q", name: "q", value: q, placeholder: "school meals, air quality…", autocomplete: "off" });
  const form = el("form", { class: "search", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const next = new URLSearchParams(params);
    next.set("q", input.value.trim());
    next.delete("page");
    if (!next.get("q")) next.delete("q");
    go(next);
  } },
  el("label", { for: "q", class: "visually-hidden" }, "Search datasets and case studies"),
  input,
  el("button", { type: "submit", class: "primary" }, "Search"));

  const patternBox = el("fieldset", { class: "pattern-filter" }, el("legend", {}, "ODI pattern"));
  const grid = el("div", { class: "patterns" });
  patternBox.append(grid);
  const view = el("div", {}, el("h1", { class: "visually-hidden" }, "Search"), form, patternBox);
  const body = el("div", { class: "layout" });
  view.append(body);
  show(view, q ? `Search: ${q}` : "Search");

  try {
    for (const p of await patterns()) {
      const id = `pattern-${p.id}`;
      const box = el("input", { type: "checkbox", id, name: "pattern", value: p.id, checked: chosen.has(p.id), "aria-describedby": id + "-def",
        onchange: () => {
          const next = new URLSearchParams(params);
          const values = new Set(next.getAll("pattern"));
          if (box.checked) values.add(p.id); else values.delete(p.id);
          next.delete("pattern");
          for (const v of values) next.append("pattern", v);
          next.delete("page");
          go(next);
        } });
      grid.append(el("label", { for: id, class: "pattern " + p.id }, box,
        el("span", {}, ` ${p.notation} ${p.label}`),
        el("span", { class: "definition", id: id + "-def" }, p.definition)));
    }
  } catch (error) {
    patternBox.append(errorBox(error));
  }

  let result;
  try {
    const api = new URLSearchParams(params);
    if (!api.get("page_size")) api.set("page_size", "20");
    result = await getJson("/api/search?" + api.toString());
  } catch (error) {
    body.replaceChildren(errorBox(error));
    announce(String(error.message || error));
    return;
  }
  body.replaceChildren(facetPanel(result, params), resultList(result, params));
  announce(`${result.total} results`);
}

function facetPanel(result, params) {
  const panel = el("aside", { class: "facets", "aria-label": "Filters" });
  const sort = el("select", { id: "sort", onchange: () => {
    const next = new URLSearchParams(params);
    next.set("sort", sort.value);
    go(next);
  } }, el("option", { value: "relevance", selected: result.sort === "relevance" }, "Relevance"),
       el("option", { value: "date", selected: result.sort === "date" }, "Newest first"));
  panel.append(el("div", { class: "toolbar" }, el("label", { for: "sort" }, "Sort by"), sort));
  // The least confidence of the pattern asked for (or of any): curated patterns count 100%.
  const least = params.get("min_confidence") || "";
  const confidence = el("select", { id: "min-confidence", onchange: () => {
    const next = new URLSearchParams(params);
    if (confidence.value) next.set("min_confidence", confidence.value); else next.delete("min_confidence");
    next.delete("page");
    go(next);
  } }, [["", "Any"], ["0.5", "50% or more"], ["0.8", "80% or more"], ["0.95", "95% or more"], ["1", "Curated only (100%)"]]
    .map(([value, text]) => el("option", { value, selected: value === least }, text)));
  panel.append(el("div", { class: "toolbar" }, el("label", { for: "min-confidence" }, "Pattern confidence"), confidence));
  for (const [name, title] of FACETS) {
    const values = result.facets[name] || [];
    if (!values.length) continue;
    const selected = new Set(params.getAll(name));
    const list = el("ul");
    values.forEach((v, i) => {
      const id = `facet-${name}-${i}`;
      const box = el("input", { type: "checkbox", id, checked: selected.has(v.value), onchange: () => {
        const next = new URLSearchParams(params);
        const chosen = new Set(next.getAll(name));
        if (box.checked) chosen.add(v.value); else chosen.delete(v.value);
        next.delete(name);
        for (const c of chosen) next.append(name, c);
        next.delete("page");
        go(next);
      } });
      const label = name === "type" ? (TYPES[v.label] || v.label) : v.label;
      list.append(el("li", {}, el("label", { for: id }, box, el("span", {}, label), el("span", { class: "count" }, `(${v.count})`))));
    });
    panel.append(el("fieldset", { class: "facet-" + name }, el("legend", {}, title), list));
  }
  return panel;
}

function resultList(result, params) {
  const section = el("section", { class: "results", "aria-labelledby": "results-heading" });
  const first = result.total ? (result.page - 1) * result.page_size + 1 : 0;
  const last = Math.min(result.total, result.page * result.page_size);
  section.append(el("h2", { id: "results-heading" }, result.total ? `${first}–${last} of ${result.total} results` : "No results"));
  const list = el("ol");
  for (const hit of result.hits) {
    const badges = el("ul", { class: "badges", "aria-label": "About this result" },
      el("li", { class: "badge type" }, TYPES[hit.type] || hit.type),
      hit.patterns.filter((p) => p.pattern !== "none").map(patternBadge),
      hit.catalogues.map((c) => el("li", { class: "badge catalogue" }, c.label)),
      hit.year ? el("li", { class: "badge year" }, String(hit.year)) : null);
    list.append(el("li", { class: "hit" },
      el("h3", {}, el("a", { href: recordHref(hit.iri) }, hit.title || hit.iri)),
      badges,
      el("p", { class: "snippet" }, snippetNodes(hit.snippet)),
      hit.publishers.length ? el("p", { class: "evidence" }, "Published by " + hit.publishers.join(", ")) : null));
  }
  section.append(list);
  const pages = Math.ceil(result.total / result.page_size);
  if (pages > 1) {
    const to = (page) => () => { const next = new URLSearchParams(params); next.set("page", String(page)); go(next); };
    section.append(el("nav", { class: "pager", "aria-label": "Pages" },
      el("button", { type: "button", disabled: result.page <= 1, onclick: to(result.page - 1) }, "Previous"),
      el("span", {}, `Page ${result.page} of ${pages}`),
      el("button", { type: "button", disabled: result.page >= pages, onclick: to(result.page + 1) }, "Next")));
  }
  return section;
}

// ---------------------------------------------------------------- record

async function renderRecord(iri) {
  setCurrentNav("");
  const view = el("article", { class: "record" });
  show(view, "Record");
  let r;
  try {
    r = await getJson("/api/records/" + encodeURIComponent(iri));
  } catch (error) {
    view.replaceChildren(el("h1", {}, "Not found"), errorBox(error));
    return;
  }
  show(view, r.title);
  view.append(el("p", { class: "badges" }, el("span", { class: "badge type" }, TYPES[r.type] || r.type)),
    el("h1", {}, r.title),
    r.description_text ? el("p", { class: "description" }, r.description_text) : null);

  const facts = el("dl");
  const fact = (term, ...values) => {
    const shown = values.flat().filter((v) => v !== null && v !== undefined && v !== "");
    if (shown.length) facts.append(el("dt", {}, term), el("dd", {}, ...shown.map((v, i) => [i ? ", " : "", v])));
  };
  fact("Published by", r.publishers.map((p) => p.label));
  fact("Catalogues", r.catalogues.map((c) => c.label));
  fact("Themes", r.themes.map((t) => t.label));
  fact("Places", r.places.map((p) => p.label));
  // The concepts of the founding documents, each linking to its page in the vocabulary.
  fact("Who benefits", r.beneficiaries.map(conceptLink));
  fact("Enablers", r.enablers.map(conceptLink));
  fact("Who acts", r.actors.map(conceptLink));
  fact("Channels", r.channels.map(conceptLink));
  fact("Benefits of co-creation", r.benefits.map(conceptLink));
  fact("Keywords", r.keywords);
  fact("Issued", r.issued);
  fact("Modified", r.modified);
  fact("Pages", r.pages.map((p) => externalLink(p)));
  fact("Outcome", r.outcome);
  fact("IRI", r.iri);
  view.append(facts);

  const patternSection = el("section", { "aria-labelledby": "patterns-h" }, el("h2", { id: "patterns-h" }, "ODI patterns"));
  const plist = el("ul");
  for (const p of r.patterns) {
    const how = p.method === "curated" ? "stated by the source" : `inferred, confidence ${Math.round(p.confidence * 100)}%`;
    plist.append(el("li", {}, el("span", { class: "badge " + p.pattern }, p.label), ` (${how})`,
      p.evidence.length ? el("div", { class: "evidence" }, "Evidence: " + p.evidence.join("; ")) : null));
  }
  if (!r.patterns.length) plist.append(el("li", {}, "Not tagged yet."));
  patternSection.append(plist);
  view.append(patternSection);

  if (r.type === "dataset") {
    const copies = el("section", { "aria-labelledby": "copies-h" },
      el("h2", { id: "copies-h" }, r.copies.length
        ? `The same dataset in ${r.catalogue_count} ${r.catalogue_count === 1 ? "catalogue" : "catalogues"}`
        : "The same dataset in other catalogues"));
    const list = el("ul");
    for (const c of r.copies) {
      list.append(el("li", {}, el("a", { href: recordHref(c.iri) }, c.title), " in ",
        c.catalogues.map((x) => x.label).join(", ") || "no catalogue",
        c.signals.length ? el("span", { class: "evidence" }, ` — matched on ${c.signals.join(", ")}${c.score ? ` (score ${c.score})` : ""}`) : null));
    }
    if (!r.copies.length) list.append(el("li", {}, "No copies found in other catalogues."));
    copies.append(list);
    view.append(copies);
  }

  const links = (title, id, items, empty) => {
    const section = el("section", { "aria-labelledby": id }, el("h2", { id }, title));
    const list = el("ul");
    for (const item of items) list.append(el("li", {}, el("a", { href: recordHref(item.iri) }, item.title)));
    if (!items.length) list.append(el("li", {}, empty));
    section.append(list);
    return section;
  };
  if (r.type === "dataset") view.append(links("Case studies that used it", "cases-h", r.case_studies, "None recorded."));
  if (r.type === "case-study") view.append(links("Datasets it used", "datasets-h", r.datasets, "None recorded."));

  if (r.distributions.length) {
    const table = el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Distribution"), el("th", { scope: "col" }, "Format"), el("th", { scope: "col" }, "Licence"), el("th", { scope: "col" }, "Get it"))));
    const tbody = el("tbody");
    for (const d of r.distributions) {
      tbody.append(el("tr", {}, el("td", {}, d.title || "—"), el("td", {}, d.formats.map((f) => f.label).join(", ")),
        el("td", {}, d.licences.map((l) => l.label).join(", ")),
        el("td", {}, [...d.download_urls, ...d.access_urls].map((u, i) => [i ? " " : "", externalLink(u, i < d.download_urls.length ? "download" : "access")]))));
    }
    table.append(tbody);
    view.append(el("section", { "aria-labelledby": "dist-h" }, el("h2", { id: "dist-h" }, "Distributions"), el("div", { class: "table-wrap" }, table)));
  }
  view.append(el("p", {}, el("a", { href: "#/sparql?query=" + encodeURIComponent(`DESCRIBE <${r.iri}>`) }, "Describe it in SPARQL"),
    " · ", el("a", { href: "/record/" + encodeURIComponent(r.iri), class: "permalink" }, "Permanent page")));
  document.getElementById("main").focus();
}

// ---------------------------------------------------------------- SPARQL

async function examples() {
  if (!examplesCache) examplesCache = await getJson("/assets/examples.json");
  return examplesCache;
}

async function renderSparql(params) {
  setCurrentNav("sparql");
  const editor = el("textarea", { id: "query", spellcheck: "false", "aria-describedby": "query-help" });
  const picker = el("select", { id: "example" }, el("option", { value: "" }, "Choose an example…"));
  const output = el("div", { class: "table-wrap", id: "results", "aria-live": "polite" });
  const downloads = el("span", { class: "toolbar" });
  const run = async () => {
    const query = text.get();
    history.replaceState(null, "", "#/sparql?query=" + encodeURIComponent(query));
    output.replaceChildren(el("p", {}, "Running…"));
    downloads.replaceChildren();
    try {
      // Results of SELECT and ASK as JSON, triples of CONSTRUCT and DESCRIBE as Turtle:
      // the server picks by the kind of query.
      const response = await fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json, text/turtle;q=0.9" }, body: query });
      if (!response.ok) throw new Error(await response.text());
      const graph = (response.headers.get("Content-Type") || "").startsWith("text/turtle");
      if (graph) {
        const turtle = await response.text();
        output.replaceChildren(el("pre", { class: "turtle", id: "turtle" }, turtle));
        announce(`${turtle.split("\n").filter((line) => line.trim().endsWith(".")).length} statements`);
      } else {
        const data = await response.json();
        output.replaceChildren(resultsTable(data));
        announce(data.results ? `${data.results.bindings.length} rows` : `answer: ${data.boolean}`);
      }
      const formats = graph
        ? [["Turtle", "text/turtle", "ttl"], ["N-Triples", "application/n-triples", "nt"], ["RDF/XML", "application/rdf+xml", "rdf"], ["JSON-LD", "application/ld+json", "jsonld"]]
        : [["CSV", "text/csv", "csv"], ["JSON", "application/sparql-results+json", "json"], ["TSV", "text/tab-separated-values", "tsv"], ["XML", "application/sparql-results+xml", "srx"]];
      for (const [label, type, ext] of formats) {
        downloads.append(el("button", { type: "button", onclick: () => download(query, type, ext) }, `Download ${label}`));
      }
    } catch (error) {
      output.replaceChildren(errorBox(error));
    }
  };
  const view = el("div", {}, el("h1", {}, "SPARQL"),
    el("p", { id: "query-help" }, "Ask anything of the whole graph in SPARQL 1.1. The default graph is the union of all graphs; Ctrl+Enter runs the query."),
    el("div", { class: "toolbar" }, el("label", { for: "example" }, "Examples"), picker),
    el("label", { for: "query" }, "Query"), editor,
    el("div", { class: "toolbar" }, el("button", { type: "button", class: "primary", id: "run", onclick: run }, "Run"), downloads),
    output);
  show(view, "SPARQL");
  const text = await queryEditor(editor, run);
  try {
    for (const example of await examples()) picker.append(el("option", { value: example.query }, example.title));
  } catch (error) {
    view.append(errorBox(error));
  }
  picker.addEventListener("change", () => { if (picker.value) text.set(picker.value); });
  text.set(params.get("query") || (examplesCache && examplesCache[0] ? examplesCache[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10"));
  if (params.get("query")) run();
}

// The editor of the SPARQL page: YASQE (vendored, /assets/yasqe.min.js) over the textarea,
// with syntax highlighting, syntax errors as you type, and completion (Ctrl+Space) of the
// server's prefixes and the query's variables; nothing is fetched from elsewhere and nothing
// kept in local storage. Without it (the script did not load), the plain textarea.
let activeEditor = null;
let prefixesCache = null;
async function queryEditor(textarea, run) {
  if (activeEditor) { activeEditor.destroy(); activeEditor = null; }
  const Yasqe = typeof window.Yasqe === "function" ? window.Yasqe : window.Yasqe && (window.Yasqe.default || window.Yasqe.Yasqe);
  const runKey = (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } };
  if (!Yasqe) {
    textarea.addEventListener("keydown", runKey);
    return { get: () => textarea.value, set: (value) => { textarea.value = value; } };
  }
  try {
    if (!prefixesCache) prefixesCache = await getJson("/assets/prefixes.json");
  } catch (error) {
    prefixesCache = [];
  }
  if (!Yasqe.Autocompleters["local-prefixes"]) {
    Yasqe.forkAutocompleter("prefixes", { name: "local-prefixes", get: () => prefixesCache, persistenceId: null }, false);
  }
  const holder = el("div", { id: "query-editor", class: "query-editor" });
  textarea.after(holder);
  textarea.hidden = true;
  const yasqe = new Yasqe(holder, {
    value: textarea.value,
    persistenceId: null,
    showQueryButton: false,
    autocompleters: ["local-prefixes", "variables"],
    createShareableLink: null,
    consumeShareLink: null,
    editorHeight: "18rem",
    extraKeys: { ...Yasqe.defaults.extraKeys, "Ctrl-Enter": () => run(), "Cmd-Enter": () => run() },
  });
  yasqe.getInputField().setAttribute("aria-label", "Query");
  yasqe.on("change", () => { textarea.value = yasqe.getValue(); });
  activeEditor = yasqe;
  return { get: () => yasqe.getValue(), set: (value) => { yasqe.setValue(value); textarea.value = value; } };
}

function resultsTable(data) {
  if (!data.results) return el("p", {}, `Answer: ${data.boolean}`);
  const vars = data.head.vars;
  const table = el("table", {}, el("thead", {}, el("tr", {}, vars.map((v) => el("th", { scope: "col" }, v)))));
  const tbody = el("tbody");
  for (const row of data.results.bindings) {
    tbody.append(el("tr", {}, vars.map((v) => {
      const term = row[v];
      if (!term) return el("td", {});
      if (term.type === "uri") return el("td", {}, el("a", { href: recordHref(term.value) }, term.value));
      return el("td", {}, term.value);
    })));
  }
  table.append(tbody);
  return table;
}

async function download(query, type, ext) {
  const response = await fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", Accept: type }, body: query });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: `results.${ext}` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A concept of civicgraph's vocabulary links to its page on this server (`/beneficiary/citizens`);
// any other value is shown as its label.
function conceptLink(concept) {
  const base = "https://w3id.org/civicgraph/";
  if (!concept.value.startsWith(base)) return concept.label;
  return el("a", { href: "/" + concept.value.slice(base.length), class: "concept" }, concept.label);
}

// ---------------------------------------------------------------- sources

async function renderSources() {
  setCurrentNav("sources");
  const view = el("div", {}, el("h1", {}, "Sources"));
  show(view, "Sources");
  let data;
  try {
    data = await getJson("/api/sources");
  } catch (error) {
    view.append(errorBox(error));
    return;
  }
  const head = ["Source", "Kind", "Datasets", "Case studies", "Last harvest", "Read", "Rejected", "DCAT-AP issues"];
  const table = el("table", {}, el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))));
  const tbody = el("tbody");
  for (const s of data.sources) {
    const run = s.last_run;
    tbody.append(el("tr", {},
      el("th", { scope: "row" }, s.title || s.id, s.region ? el("div", { class: "evidence" }, s.region) : null),
      el("td", {}, s.kind || "loaded"),
      el("td", {}, String(s.datasets)), el("td", {}, String(s.case_studies)),
      el("td", {}, run ? `${run.status} ${(run.ended || run.started).replace("T", " ").slice(0, 16)}` : "never"),
      el("td", {}, run ? String(run.read) : "—"), el("td", {}, run ? String(run.rejected) : "—"),
      el("td", {}, run ? String(run.violations) : "—")));
  }
  table.append(tbody);
  view.append(el("div", { class: "table-wrap" }, table));
}
