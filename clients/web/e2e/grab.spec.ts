// The 抢单 client: the live pool, the grab race between colleagues, catching up after 30 s
// offline, and my orders with their steps and deadlines. Each test posts its own needs.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, GATEWAY_URL, gql, shot, signIn, test, tokenOf } from './support';

const PUBLISH = `mutation($i: PublishNeedInput!) { publishNeed(input: $i) { id orderNo } }`;
const GRAB = `mutation($id: ID!) { grabNeed(id: $id) { id status } }`;
const POOL = `query($after: String) { grabPool(first: 100, after: $after) {
  nodes { id } pageInfo { hasNextPage endCursor } } }`;
const ASSIGNED = `query { handlings(first: 100, filter: { status: ASSIGNED }) {
  nodes { application { id } need { id } } } }`;

let serial = 0;

/** A need that fits a listed credit product of both 贵阳银行 and 贵州银行 (amount, term, method); its
 * purpose is unique, so it is never taken for a repeated submission. */
async function postNeed(purpose = '采购原材料', extra: Record<string, unknown> = {}): Promise<string> {
  serial += 1;
  const data = await gql<{ publishNeed: { id: string } }>(
    PUBLISH,
    {
      i: {
        amount: String(300_000 + Math.floor(Math.random() * 90_000)),
        termMonths: 12,
        purpose: `${purpose}（测试 ${Date.now() % 100_000}-${serial}）`,
        loanPreference: 'CREDIT',
        region: '贵阳市观山湖区',
        industry: '批发和零售业',
        contactName: '王经理',
        contactPhone: '13800001111',
        ...extra,
      },
    },
    await tokenOf('applicant'),
  );
  return data.publishNeed.id;
}

async function grabAs(username: string, needId: string): Promise<void> {
  await gql(GRAB, { id: needId }, await tokenOf(username));
}

/** The orders the API says are in the user's pool: grabPool's needs and the assigned orders. */
async function poolIds(username: string): Promise<string[]> {
  const token = await tokenOf(username);
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { grabPool: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await gql(POOL, { after }, token);
    ids.push(...page.grabPool.nodes.map((n) => n.id));
    if (!page.grabPool.pageInfo.hasNextPage) break;
    after = page.grabPool.pageInfo.endCursor;
  }
  const assigned = await gql<{
    handlings: { nodes: { application: { id: string } | null; need: { id: string } | null }[] };
  }>(ASSIGNED, {}, token);
  for (const h of assigned.handlings.nodes) {
    if (h.application) ids.push(h.application.id);
    else if (h.need) ids.push(h.need.id); // transferred in (转单)
  }
  return [...new Set(ids)].sort();
}

async function pageIds(page: Page): Promise<string[]> {
  return (await page.locator('[data-testid="pool-order"]').evaluateAll((cards) =>
    cards.map((c) => c.getAttribute('data-order-id') ?? ''),
  )).sort();
}

/** A second (third) phone: its own context with the mobile viewport and the test gateway. */
async function phone(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: process.env.DCMS_WEB_URL,
    viewport: { width: 375, height: 812 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  await context.addInitScript((url) => {
    window.DCMS_GATEWAY_URL = url;
  }, GATEWAY_URL);
  return context;
}

async function openPool(page: Page, username: string): Promise<void> {
  await signIn(page, '/grab.html', username);
  await expect(page.getByText('● 实时更新中')).toBeVisible();
  await expect(page.locator('.van-skeleton')).toHaveCount(0);
}

const card = (page: Page, id: string) => page.locator(`[data-order-id="${id}"]`);

/** Drop this page's stream messages that name `held.id`, as if they were still on their way
 * (set before the page opens its socket). */
async function holdBack(page: Page): Promise<{ id: string }> {
  const held = { id: '' };
  await page.routeWebSocket(/\/graphql/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (!(held.id && typeof message === 'string' && message.includes(held.id))) ws.send(message);
    });
  });
  return held;
}

test('two colleagues race on one need: one 抢到了, the other 同事已抢 and the order gone; another institution still sees it', async ({
  page,
  browser,
}) => {
  await page.goto('/grab.html');
  await expect(page.getByPlaceholder('请输入用户名')).toBeVisible();
  await shot(page, 'grab-login');

  const contexts = [await phone(browser), await phone(browser), await phone(browser)];
  const [colleague, rival, onlooker] = await Promise.all(contexts.map((c) => c.newPage()));
  // The two taps must both land before either page hears of the other's grab (else the loser's card
  // may vanish under its finger, as it should): the racers' stream events about the need wait.
  const held = await Promise.all([holdBack(page), holdBack(colleague)]);
  await Promise.all([
    openPool(page, 'grabber'),
    openPool(colleague, 'fi_gyb_1'),
    openPool(rival, 'fi_gzb_1'),
    openPool(onlooker, 'fi_gyb_2'), // a third colleague who does not tap
  ]);

  const needId = await postNeed('购置冷链设备');
  for (const p of [page, colleague, rival, onlooker]) await expect(card(p, needId)).toBeVisible(); // live
  await expect(card(page, needId)).toContainText('剩余名额 3 / 3');
  await shot(page, 'grab-pool');

  // Both tap at once.
  for (const h of held) h.id = needId;
  await Promise.all([
    card(page, needId).getByRole('button', { name: '立即抢单' }).click(),
    card(colleague, needId).getByRole('button', { name: '立即抢单' }).click(),
  ]);
  const outcomes = await Promise.all(
    [page, colleague].map(async (p) => {
      const dialog = p.getByTestId('grab-result');
      await expect(dialog).toBeVisible();
      return { page: p, outcome: await dialog.getAttribute('data-outcome') };
    }),
  );
  expect(outcomes.map((o) => o.outcome).sort()).toEqual(['colleague', 'won']);
  const winner = outcomes.find((o) => o.outcome === 'won')!.page;
  const loser = outcomes.find((o) => o.outcome === 'colleague')!.page;
  await expect(winner.getByTestId('grab-result')).toContainText('抢到了');
  await expect(loser.getByTestId('grab-result')).toContainText('同事已抢');
  await shot(winner, 'grab-won');
  await shot(loser, 'grab-colleague');
  for (const p of [winner, loser]) await expect(card(p, needId)).toHaveCount(0);
  // The colleague who did not tap sees it vanish from the stream alone.
  await expect(card(onlooker, needId)).toHaveCount(0);

  // 贵州银行 still has two of the three places.
  await expect(card(rival, needId)).toBeVisible();
  await expect(card(rival, needId)).toContainText('剩余名额 2 / 3');

  await Promise.all(contexts.map((c) => c.close()));
});

test('offline for 30 s while needs are posted and grabbed: after reconnecting the list is exactly right', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const before = await postNeed('扩建厂房');
  await openPool(page, 'grabber');
  await expect(card(page, before)).toBeVisible();

  await context.setOffline(true);
  const offlineAt = Date.now();
  const posted = [await postNeed('采购农资'), await postNeed('支付货款'), await postNeed('补充流动资金')];
  // A colleague grabs one posted while offline and the one seen before: both leave this pool.
  await grabAs('fi_gyb_1', posted[1]);
  await grabAs('fi_gyb_2', before);
  // The page notices the socket is gone (ping without pong) and says so.
  await expect(page.getByText('已断开，正在重连…')).toBeVisible({ timeout: 25_000 });
  await page.waitForTimeout(Math.max(0, 30_000 - (Date.now() - offlineAt)));
  await shot(page, 'grab-offline');

  await context.setOffline(false);
  await expect(page.getByTestId('connection')).toBeHidden({ timeout: 20_000 });
  const expected = await poolIds('grabber');
  expect(expected).toContain(posted[0]);
  expect(expected).toContain(posted[2]);
  expect(expected).not.toContain(posted[1]);
  expect(expected).not.toContain(before);
  await expect.poll(() => pageIds(page), { timeout: 15_000 }).toEqual(expected);
  const ids = await pageIds(page);
  expect(new Set(ids).size).toBe(ids.length); // none shown twice
  await expect(page.getByTestId('pool-count')).toHaveText(String(expected.length));
});

test('my orders show the steps and a countdown; pre-review from the detail page moves the step', async ({ page }) => {
  const needId = await postNeed('购买原材料');
  const handlingId = (await gql<{ grabNeed: { id: string } }>(GRAB, { id: needId }, await tokenOf('grabber'))).grabNeed.id;

  await signIn(page, '/grab.html#/orders', 'grabber');
  const order = page.locator(`[data-handling-id="${handlingId}"]`);
  await expect(order).toBeVisible();
  await expect(order).toContainText('待初审');
  await expect(order.getByTestId('steps')).toContainText('初审');
  await expect(order.getByTestId('steps')).toContainText('放款');
  await expect(order.getByTestId('deadline')).toContainText(/还剩 \d+ (小时|分钟)/);
  await shot(page, 'grab-orders');

  await order.click();
  await expect(page).toHaveURL(new RegExp(`#/orders/${handlingId}$`));
  await expect(page.getByTestId('status')).toHaveText('待初审');
  await expect(page.locator('[data-active="true"]')).toHaveText('初审');
  await expect(page.getByTestId('deadline').first()).toContainText('还剩');
  await shot(page, 'grab-order-detail');

  await page.getByPlaceholder('如：已电话核实经营情况').fill('已电话核实，经营正常');
  await page.getByRole('button', { name: '提交初审' }).click();
  await expect(page.getByTestId('status')).toHaveText('已初审');
  await expect(page.locator('[data-active="true"]')).toHaveText('预授信');
  await expect(page.getByRole('button', { name: '发出预授信' })).toBeVisible();
  const check = await gql<{ handling: { status: string } }>(
    'query($id: ID!) { handling(id: $id) { status } }',
    { id: handlingId },
    await tokenOf('grabber'),
  );
  expect(check.handling.status).toBe('PRE_REVIEWED');
  await shot(page, 'grab-order-prereviewed');

  // The next step's form comes filled in with the need's amount and term: send the offer.
  await page.getByRole('button', { name: '发出预授信' }).click();
  await expect(page.getByTestId('status')).toHaveText('已预授信');
  await expect(page.getByText('预授信已发出，等待客户选择方案')).toBeVisible();

  // Back to my orders: the ended tab's empty state, then logout.
  await page.getByText('返回').click();
  await expect(page.locator(`[data-handling-id="${handlingId}"]`)).toContainText('已预授信');
  await page.getByRole('tab', { name: /已结束/ }).click();
  await expect(page.locator('.van-toast')).toBeHidden();
  await shot(page, 'grab-orders-ended');
  await page.getByText('退出').click();
  await page.getByRole('button', { name: '确认' }).click();
  await expect(page.getByPlaceholder('请输入用户名')).toBeVisible();
});

test('a need that filled up before the tap answers 名额已满 and leaves the pool', async ({ page }) => {
  // Hold back this page's stream events about the need, as if they were still on their way.
  const held = await holdBack(page);
  await openPool(page, 'grabber');
  // No preferred method, 20 万 for 12 months: open to five institutions, three of them fill it.
  const needId = await postNeed('采购饲料', {
    amount: String(200_000 + Math.floor(Math.random() * 9_000)),
    loanPreference: null,
  });
  await expect(card(page, needId)).toContainText('剩余名额 3 / 3');
  held.id = needId;
  for (const user of ['fi_gzb_1', 'fi_qxdb_1', 'fi_zcxd_1']) await grabAs(user, needId);

  await card(page, needId).getByRole('button', { name: '立即抢单' }).click();
  await expect(page.getByTestId('grab-result')).toHaveAttribute('data-outcome', 'full');
  await expect(page.getByTestId('grab-result')).toContainText('名额已满');
  await expect(card(page, needId)).toHaveCount(0);
  await shot(page, 'grab-full');
});

test('an application to a product of my institution arrives live; one tap grabs it and 去处理 opens it', async ({
  page,
}) => {
  await openPool(page, 'grabber');
  const applicant = await tokenOf('applicant');
  const products = await gql<{ financialProducts: { nodes: { id: string; name: string }[] } }>(
    'query { financialProducts(first: 100) { nodes { id name } } }',
    {},
    applicant,
  );
  const product = products.financialProducts.nodes.find((p) => p.name === '数谷e贷'); // 贵阳银行's
  expect(product).toBeDefined();
  const applied = await gql<{ applyForProduct: { id: string } }>(
    'mutation($i: ApplyInput!) { applyForProduct(input: $i) { id } }',
    {
      i: {
        productId: product!.id,
        amount: String(100_000 + Math.floor(Math.random() * 90_000)), // not a repeat of an open one
        termMonths: 12,
        purpose: '采购包装材料',
        consent: true,
        applicantName: '贵州黔丰农业有限公司',
        idNumber: '91520100MA6DKXXX1Y',
        contactPhone: '13800001111',
        district: '贵阳市观山湖区',
      },
    },
    applicant,
  );
  const applicationId = applied.applyForProduct.id;
  await expect(card(page, applicationId)).toContainText('产品申请');
  await expect(card(page, applicationId)).toContainText('数谷e贷');
  await expect(card(page, applicationId)).toContainText('剩余名额 1 / 1');
  await shot(page, 'grab-application');

  await card(page, applicationId).getByRole('button', { name: '立即抢单' }).click();
  await expect(page.getByTestId('grab-result')).toHaveAttribute('data-outcome', 'won');
  await page.getByRole('button', { name: '去处理' }).click();
  await expect(page.getByTestId('status')).toHaveText('待初审');
  await expect(page.getByTestId('steps')).toContainText('授信');
  await expect(page.getByTestId('steps')).not.toContainText('预授信'); // applications go straight to credit
  await expect(page.getByText('贵州黔丰农业有限公司')).toBeVisible(); // full contact details for the grabber
});

test('the pool and my orders read a page at a time, newest first, and the rest on scrolling to the end', async ({
  page,
}) => {
  // Pages of 5 instead of 100 / 50, so that the seeded data spans several of them.
  const afters: Record<string, (string | null)[]> = {};
  // Queries go by GET (urql's within-url-limit), mutations by POST.
  await page.route((url) => url.href.startsWith(GATEWAY_URL), async (route) => {
    const url = new URL(route.request().url());
    const query = url.searchParams.get('query') ?? '';
    const name = /query (GrabPoolPage|GrabAssigned|GrabMyHandlings)\b/.exec(query)?.[1];
    if (route.request().method() !== 'GET' || !name) return route.continue();
    const variables = JSON.parse(url.searchParams.get('variables') ?? '{}') as Record<string, unknown>;
    (afters[name] ??= []).push((variables.after as string | null | undefined) ?? null);
    url.searchParams.set('variables', JSON.stringify({ ...variables, first: 5 }));
    await route.continue({ url: url.href });
  });
  const newest = await postNeed('购置仓储货架');
  await openPool(page, 'grabber');
  const expected = await poolIds('grabber');
  expect(expected.length).toBeGreaterThan(10); // the seed's pool spans pages of 5
  await expect(page.getByTestId('pool-count')).toHaveText(/^\d+\+$/); // more to come
  await expect(page.locator('[data-testid="pool-order"]').first()).toHaveAttribute('data-order-id', newest);
  expect(await page.locator('[data-testid="pool-order"]').count()).toBeLessThan(expected.length);

  const finished = page.getByText('— 没有更多了 —');
  await expect(async () => {
    await page.mouse.wheel(0, 20_000);
    await expect(finished).toBeInViewport({ timeout: 500 });
  }).toPass({ timeout: 30_000 });
  expect(afters.GrabPoolPage!.filter((a) => a !== null).length).toBeGreaterThan(1); // read on demand
  const ids = await pageIds(page);
  expect(ids).toEqual(expected); // each once, none missing
  await expect(page.getByTestId('pool-count')).toHaveText(String(expected.length));

  // 我的订单: mine only, a page of 5 first, the rest on scrolling.
  const token = await tokenOf('grabber');
  for (let i = 0; i < 6; i++) await grabAs('grabber', await postNeed('采购办公设备'));
  const mine = await gql<{ handlings: { nodes: { id: string; status: string }[] } }>(
    'query { handlings(first: 100, filter: { mine: true }) { nodes { id status } } }',
    {},
    token,
  );
  await page.getByRole('link', { name: '我的订单' }).or(page.getByText('我的订单', { exact: true })).last().click();
  await expect(page.locator('[data-testid="my-order"]').first()).toHaveAttribute(
    'data-handling-id',
    mine.handlings.nodes[0]!.id,
  );
  // (No check of an "N+" count here: van-list loads on while the list is shorter than the
  // screen, so how many pages are in before the first look depends on the machine.)
  await shot(page, 'grab-orders-paged');
  await expect(async () => {
    await page.mouse.wheel(0, 20_000);
    await expect(page.getByRole('tab', { name: /办理中 \d+$/ })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000 });
  expect(afters.GrabMyHandlings!.filter((a) => a !== null).length).toBeGreaterThan(0); // page by page
  const open = mine.handlings.nodes.filter((h) => !['DISBURSED', 'REJECTED', 'NOT_SELECTED', 'TRANSFERRED', 'WITHDRAWN'].includes(h.status));
  const shown = await page.locator('[data-testid="my-order"]').evaluateAll((cards) =>
    cards.map((c) => c.getAttribute('data-handling-id') ?? ''),
  );
  expect(shown).toEqual(open.map((h) => h.id)); // newest first, as the API gives them
});
