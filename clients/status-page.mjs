// Drives the gateway's status page (/ui) in real headless Chromium (playwright-core + the OS's chromium).
// Env: BASE_URL (gateway), ADMIN_KEY, CLIENT_KEY, CHROMIUM (executable), SCREENSHOTS (folder).
// The gateway's config (written by StatusPageBrowserTest) has models good → flaky/echo, bad → flaky/error-500,
// backup → [flaky/error-500, spare/echo] with fallback, and a breaker that opens after 2 consecutive failures.
import { chromium } from "playwright-core";

const base = process.env.BASE_URL;
const shots = process.env.SCREENSHOTS;
let passed = 0, failed = 0;

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log("ok   " + name);
  } catch (e) {
    failed++;
    console.log("FAIL " + name + ": " + (e && e.message ? e.message.split("\n")[0] : e));
  }
}

async function chat(model, id) {
  const r = await fetch(base + "/v1/chat/completions", {
    method: "POST",
    headers: { "Authorization": "Bearer " + process.env.CLIENT_KEY, "Content-Type": "application/json", "X-Request-Id": id },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello from the browser test" }] }),
  });
  await r.text();
  return r.status;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const health = page.locator('#part-providers tr[data-provider="flaky"] td.health');
  const auditRows = page.locator("#part-audit tr[data-audit-request]");

  await step("the page without a key is the login form (401)", async () => {
    const resp = await page.goto(base + "/ui");
    if (resp.status() !== 401) throw new Error("status " + resp.status());
    await page.locator("#key").waitFor();
    await page.screenshot({ path: shots + "/01-login.png", fullPage: true });
  });

  await step("a non-admin key is refused at login (403)", async () => {
    await page.fill("#key", process.env.CLIENT_KEY);
    const [resp] = await Promise.all([page.waitForNavigation(), page.click("#login")]);
    if (resp.status() !== 403) throw new Error("status " + resp.status());
    const msg = await page.locator("#login-error").textContent();
    if (!msg.includes("not an admin key")) throw new Error(msg);
  });

  await step("logging in with the admin key shows the providers, flaky healthy", async () => {
    await page.fill("#key", process.env.ADMIN_KEY);
    await Promise.all([page.waitForURL(base + "/ui"), page.click("#login")]);
    await health.waitFor();
    const text = (await health.textContent()).trim();
    if (text !== "healthy") throw new Error("flaky is " + text);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "tailgate_session");
    if (!session || !session.httpOnly || session.sameSite !== "Strict") throw new Error(JSON.stringify(cookies));
    if (await page.evaluate(() => document.cookie.includes("tailgate_session"))) throw new Error("the session cookie is visible to scripts");
    await page.screenshot({ path: shots + "/02-healthy.png", fullPage: true });
  });

  await step("a request appears in the recent requests without reloading", async () => {
    const status = await chat("good", "browser-ok-1");
    if (status !== 200) throw new Error("chat status " + status);
    await page.locator('#part-requests tr[data-request="browser-ok-1"]').waitFor({ timeout: 15000 });
    const row = await page.locator('#part-requests tr[data-request="browser-ok-1"]').textContent();
    if (!row.includes("flaky/echo") || !row.includes("200")) throw new Error(row);
    if (row.includes("hello from the browser test")) throw new Error("request content on the page");
    await page.screenshot({ path: shots + "/03-request.png", fullPage: true });
  });

  await step("flaky goes from healthy to open when its upstream fails", async () => {
    const fell = await chat("backup", "browser-fallback-1"); // flaky 500 (failure 1), served by spare
    if (fell !== 200) throw new Error("fallback status " + fell);
    const bad = await chat("bad", "browser-bad-1"); // failure 2: the breaker opens
    if (bad < 500) throw new Error("bad status " + bad);
    await page.waitForFunction(() => {
      const td = document.querySelector('#part-providers tr[data-provider="flaky"] td.health');
      return td && td.textContent.trim() === "open";
    }, null, { timeout: 15000 });
    const breaker = (await page.locator('#part-providers tr[data-provider="flaky"] td.breaker').textContent()).trim();
    if (breaker !== "open") throw new Error("breaker " + breaker);
    await page.screenshot({ path: shots + "/04-open.png", fullPage: true });
  });

  await step("the audit log filters refused and fell-back decisions", async () => {
    const refused = await chat("good", "browser-refused-1"); // flaky is open: no route
    if (refused !== 503) throw new Error("refused status " + refused);
    await page.locator('#part-audit tr[data-audit-request="browser-refused-1"]').waitFor({ timeout: 15000 });
    await page.click('a[data-audit="refused"]');
    await page.locator('#part-audit table[data-filter="refused"]').waitFor({ timeout: 15000 });
    let ids = await auditRows.evaluateAll((rows) => rows.map((r) => r.dataset.auditRequest));
    if (!ids.includes("browser-refused-1") || ids.includes("browser-ok-1")) throw new Error("refused shows " + ids);
    if (!page.url().endsWith("?audit=refused")) throw new Error("url " + page.url());
    await page.screenshot({ path: shots + "/05-audit-refused.png", fullPage: true });

    await page.click('a[data-audit="fellback"]');
    await page.locator('#part-audit table[data-filter="fellback"]').waitFor({ timeout: 15000 });
    ids = await auditRows.evaluateAll((rows) => rows.map((r) => r.dataset.auditRequest));
    if (ids.length !== 1 || ids[0] !== "browser-fallback-1") throw new Error("fell back shows " + ids);
    const row = await page.locator('#part-audit tr[data-audit-request="browser-fallback-1"]').textContent();
    if (!row.includes("spare/echo")) throw new Error(row);
    await page.screenshot({ path: shots + "/06-audit-fellback.png", fullPage: true });
  });

  await step("usage shows a chart per day and totals per client", async () => {
    await page.locator("#part-usage svg.chart").first().waitFor();
    const usage = await page.locator("#part-usage").textContent();
    if (!usage.includes("app")) throw new Error("no client 'app' in usage");
  });

  await step("logging out ends the session", async () => {
    await Promise.all([page.waitForURL(base + "/ui"), page.click("#logout")]);
    await page.locator("#key").waitFor();
  });
} finally {
  await browser.close();
}
console.log(`status-page: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
