// Keeps the status page live: every section re-fetches its server-rendered fragment (already HTML-escaped by the
// gateway) on its own interval and swaps it in. The audit filter links work without this script (full page loads);
// with it they only reload the audit section. A 401/403 (session ended) reloads the page, which shows the login form.
"use strict";
(function () {
  const stamp = document.getElementById("updated");
  let auditFilter = new URLSearchParams(location.search).get("audit") || "all";

  async function refresh(el) {
    let url = "/ui/part/" + el.dataset.part;
    if (el.dataset.part === "audit") url += "?filter=" + encodeURIComponent(auditFilter);
    try {
      const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (r.status === 401 || r.status === 403) { location.reload(); return; }
      if (!r.ok) return;
      el.innerHTML = await r.text();
      el.dataset.loaded = String(Date.now());
      if (stamp) stamp.textContent = new Date().toISOString();
    } catch (e) {
      if (stamp) stamp.textContent = "gateway unreachable (" + new Date().toISOString() + ")";
    }
  }

  for (const el of document.querySelectorAll("[data-part]")) {
    const every = Number(el.dataset.refresh) || 2000;
    const tick = async () => { await refresh(el); setTimeout(tick, every); };
    setTimeout(tick, every);
  }

  document.addEventListener("click", (e) => {
    const link = e.target.closest("a[data-audit]");
    if (!link) return;
    e.preventDefault();
    auditFilter = link.dataset.audit;
    history.replaceState(null, "", "?audit=" + encodeURIComponent(auditFilter));
    refresh(document.getElementById("part-audit"));
  });
})();
