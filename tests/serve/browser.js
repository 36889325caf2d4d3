// Drives headless Chromium against a running `folio serve`: a screenshot, an edit of the
// manuscript, and a second screenshot once the page has marked the changed page; prints
// what the page shows as JSON for tests/serve.rs to check.
// Usage: node browser.js URL FILE OLD NEW OUT_DIR
"use strict";
const path = require("path");
const fs = require("fs");
const puppeteer = require(path.join(__dirname, "../../tools/ace/node_modules/puppeteer-core"));

const [url, file, oldWord, newWord, outDir] = process.argv.slice(2);
const TIMEOUT_MS = 60000;

// Every page image in view has arrived and been decoded.
const imagesDone = () =>
  [...document.querySelectorAll(".page img")]
    .filter((i) => i.getBoundingClientRect().top < window.innerHeight)
    .every((i) => i.complete && i.naturalWidth > 0);

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--hide-scrollbars"],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    // The page's own errors, for a failing test's output.
    page.on("pageerror", (e) => console.error("page error:", String(e)));
    page.on("console", (m) => m.type() === "error" && console.error("console:", m.text()));
    page.on("requestfailed", (r) => console.error("request failed:", r.url(), r.failure() && r.failure().errorText));
    await page.setViewport({ width: 1500, height: 950 });
    await page.goto(url, { waitUntil: "domcontentloaded" });
    await page.waitForFunction(() => Number(document.body.dataset.build) >= 1, { timeout: TIMEOUT_MS });
    await page.waitForFunction(imagesDone, { timeout: TIMEOUT_MS });
    await page.screenshot({ path: path.join(outDir, "before.png") });
    const before = await page.evaluate(() => Number(document.body.dataset.build));

    const text = fs.readFileSync(file, "utf8");
    if (!text.includes(oldWord)) throw new Error(`${file} has no "${oldWord}"`);
    fs.writeFileSync(file, text.replace(oldWord, newWord));

    await page.waitForFunction(
      (b) => Number(document.body.dataset.build) > b && document.querySelector(".page.changed"),
      { timeout: TIMEOUT_MS }, before);
    const changed = await page.evaluate(() =>
      [...document.querySelectorAll(".page.changed")].map((f) => f.dataset.label));
    await page.evaluate(() => document.querySelector(".page.changed").scrollIntoView({ block: "center" }));
    await page.waitForFunction(imagesDone, { timeout: TIMEOUT_MS });
    // The EPUB pane is same-origin: its document is read from the page itself (a frame
    // handle would go stale when a build loads the pane again).
    await page.waitForFunction((w) => {
      const d = document.getElementById("reader").contentDocument;
      return d && d.body && d.body.textContent.includes(w);
    }, { timeout: TIMEOUT_MS }, newWord);
    const epubUrl = await page.evaluate(() => document.getElementById("reader").contentWindow.location.href);
    const listed = await page.evaluate(() => [...document.querySelectorAll("#changes button")].map((b) => b.textContent));
    await page.screenshot({ path: path.join(outDir, "after.png") });

    // A broken edit: the error shows over the last good pages; its fix clears it.
    const good = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, good.replace("title: ", "title: ["));
    await page.waitForFunction(() => !document.getElementById("error").hidden, { timeout: TIMEOUT_MS });
    const error = await page.evaluate(() => ({
      where: document.querySelector("#error .where").textContent,
      source: document.querySelector("#error pre").textContent,
      pages: document.querySelectorAll(".page img").length,
    }));
    await page.screenshot({ path: path.join(outDir, "error.png") });
    fs.writeFileSync(file, good);
    await page.waitForFunction(() => document.getElementById("error").hidden, { timeout: TIMEOUT_MS });
    console.log(JSON.stringify({ changed, listed, epubUrl, epubHasWord: true, error }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
