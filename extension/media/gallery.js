// The gallery page: debounced search as you type, a thumbnail grid whose images load when scrolled into view.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const query = /** @type {HTMLInputElement} */ (document.getElementById("query"));
  const status = /** @type {HTMLElement} */ (document.getElementById("status"));
  const grid = /** @type {HTMLElement} */ (document.getElementById("grid"));
  const saved = vscode.getState();
  let timer = 0;
  let latest = "";

  const lazy = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const img = /** @type {HTMLImageElement} */ (entry.target);
        img.src = img.dataset.src || "";
        lazy.unobserve(img);
      }
    },
    { rootMargin: "200px" },
  );

  function search(value) {
    latest = value.trim();
    vscode.setState({ query: value });
    if (latest === "") {
      grid.replaceChildren();
      return;
    }
    status.textContent = "Searching…";
    vscode.postMessage({ type: "search", query: latest });
  }

  function render(items) {
    grid.replaceChildren(
      ...items.map((item) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.title = `${item.path} (score ${item.score.toFixed(3)})`;
        button.addEventListener("click", () => vscode.postMessage({ type: "open", uri: item.uri }));
        const img = document.createElement("img");
        img.dataset.src = item.src;
        img.alt = item.path;
        lazy.observe(img);
        const caption = document.createElement("span");
        caption.className = "caption";
        caption.textContent = `${item.path.split("/").pop()} · ${item.score.toFixed(3)}`;
        button.append(img, caption);
        if (item.snippet) {
          const snippet = document.createElement("span");
          snippet.className = "snippet";
          snippet.textContent = item.snippet;
          button.title += `\n${item.snippet}`;
          button.append(snippet);
        }
        li.append(button);
        return li;
      }),
    );
    status.textContent = items.length ? `${items.length} images` : "No images match.";
  }

  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(query.value), 300);
  });
  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      clearTimeout(timer);
      search(query.value);
    }
  });

  window.addEventListener("message", (event) => {
    const message = event.data;
    if (message.type === "status" && latest === "") status.textContent = message.text;
    if (message.type === "results" && message.query === latest) render(message.items);
    if (message.type === "error" && message.query === latest) status.textContent = `Search failed: ${message.text}`;
  });

  if (saved && saved.query) {
    query.value = saved.query;
    search(saved.query);
  }
})();
