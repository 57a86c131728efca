// The monitoring wall's long soak (docs: "Monitoring wall"): the wall open in Chromium as `ops`
// while alerts are raised through the gateway at a steady rate (default 10 a second — ten times
// the normal rate the browser test assumes — for 30 minutes); every minute the page's heap (after
// a forced GC) and its DOM nodes and listeners are printed; fails when they grew.
//
//   DCMS_WEB_URL=… DCMS_GATEWAY_URL=… node scripts/soak-wall.mjs [--minutes 30] [--rate 10] [--max-growth-mb 5]
//
// `make soak-wall` starts a stack with the demo data and runs this against it (loadtest/soak_wall.py).
import { chromium } from '@playwright/test';

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const MINUTES = option('minutes', 30);
const RATE = option('rate', 10); // alerts a second
const MAX_GROWTH_MB = option('max-growth-mb', 5);
const WEB = process.env.DCMS_WEB_URL;
const GATEWAY = process.env.DCMS_GATEWAY_URL;
const PASSWORD = 'Dcms@2026demo';
const RAISERS = ['ops', 'ops_engineer', 'ops_expert', 'ops_pm'];
if (!WEB || !GATEWAY) throw new Error('DCMS_WEB_URL and DCMS_GATEWAY_URL name the stack');

async function gql(query, variables, token) {
  const response = await fetch(GATEWAY, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors[0]));
  return body.data;
}
const login = async (username) =>
  (await gql('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }', {
    u: username,
    p: PASSWORD,
  })).login.accessToken;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
await page.addInitScript((url) => (window.DCMS_GATEWAY_URL = url), GATEWAY);
await page.goto(`${WEB}/wall.html`);
await page.getByPlaceholder('请输入用户名').fill('ops');
await page.getByPlaceholder('请输入密码').fill(PASSWORD);
await page.getByRole('button', { name: '登录' }).click();
await page.getByText('实时推送已连接').waitFor({ timeout: 30_000 });

const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
async function measure() {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? 0;
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return { heapMB: usedSize / 1_048_576, nodes: metric('Nodes'), listeners: metric('JSEventListeners') };
}
const received = async () => Number(await page.getByTestId('alerts-received').innerText());

const tokens = await Promise.all(RAISERS.map(login));
const halls = (await gql('{ orgs(first: 20, kind: HALL) { edges { node { id name } } } }', {}, tokens[0])).orgs.edges.map(
  (e) => e.node,
);
const run = Date.now() % 1_000_000;
let sent = 0;
async function raise(count) {
  for (let done = 0; done < count; ) {
    const n = Math.min(30, count - done); // the gateway allows 30 aliases an operation
    const fields = Array.from({ length: n }, (_, i) => `a${i}: raiseAlert(input: { orgId: $o, level: INFO, title: $t, detail: "${i}", source: "soak" }) { id }`);
    const hall = halls[sent % halls.length];
    await gql(`mutation($o: ID!, $t: String!) { ${fields.join(' ')} }`, { o: hall.id, t: `${hall.name}长时压测告警（${run}-${sent}）` }, tokens[sent % tokens.length]);
    done += n;
    sent += n;
  }
}

await raise(300); // warm up: the list full, every path run once
await page.waitForTimeout(5_000);
const base = await measure();
const start = await received();
console.log(`baseline: heap ${base.heapMB.toFixed(1)} MB, DOM nodes ${base.nodes}, listeners ${base.listeners}`);
const began = Date.now();
for (let second = 1; second <= MINUTES * 60; second++) {
  await raise(RATE);
  const wait = began + second * 1_000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  if (second % 60 === 0) {
    const m = await measure();
    console.log(
      `minute ${second / 60}: raised ${sent - 300}, on the wall ${(await received()) - start}, ` +
        `heap ${m.heapMB.toFixed(1)} MB, DOM nodes ${m.nodes}, listeners ${m.listeners}`,
    );
  }
}
await page.waitForTimeout(5_000);
const end = await measure();
const events = (await received()) - start;
console.log(
  `wall soak: ${events} events in ${Date.now() - began} ms → heap ${base.heapMB.toFixed(1)} MB → ${end.heapMB.toFixed(1)} MB, ` +
    `DOM nodes ${base.nodes} → ${end.nodes}, listeners ${base.listeners} → ${end.listeners}`,
);
await browser.close();
const grew = end.heapMB - base.heapMB > MAX_GROWTH_MB || Math.abs(end.nodes - base.nodes) > 200;
if (grew) console.error(`FAILED: grew more than ${MAX_GROWTH_MB} MB or 200 DOM nodes`);
process.exit(grew ? 1 : 0);
