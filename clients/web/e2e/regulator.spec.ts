// The regulator's console (监管控制台) at 1440×900: live supervision alerts, 催单 and 转单 with the
// handling's history, statistics exports whose totals equal the API's, and complaint review.
// Each test arranges its own orders through the API as demo users.
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, gql, shot, signIn, test, tokenOf } from './support';

const PAGE = '/regulator.html';

interface Order {
  handlingId: string;
  orderNo: string;
}

/** An application to a 贵阳银行 credit product, grabbed by `grabber` (贵阳银行). */
async function grabbedOrder(): Promise<Order> {
  const applicant = await tokenOf('applicant');
  const products = await gql<{
    financialProducts: { edges: { node: { id: string; guaranteeMethod: string; institution: { name: string } } }[] };
  }>('{ financialProducts(first: 50) { edges { node { id guaranteeMethod institution { name } } } } }', {}, applicant);
  const product = products.financialProducts.edges
    .map((e) => e.node)
    .find((p) => p.institution.name === '贵阳银行' && p.guaranteeMethod === 'CREDIT');
  if (!product) throw new Error('no credit product of 贵阳银行 in the seed');
  // A distinct amount: the same request again would return the first application.
  const amount = String(100_000 + Math.floor(Math.random() * 90_000));
  const applied = await gql<{ applyForProduct: { id: string } }>(
    'mutation($i: ApplyInput!) { applyForProduct(input: $i) { id } }',
    {
      i: {
        productId: product.id,
        amount,
        termMonths: 12,
        purpose: '采购原材料',
        consent: true,
        applicantName: '贵州山地茶业有限公司',
        idNumber: '91520100MA6DKQ8X1Y',
        contactPhone: '13800000000',
        district: '观山湖区',
      },
    },
    applicant,
  );
  const grabbed = await gql<{ grabApplication: { id: string; orderNo: string } }>(
    'mutation($id: ID!) { grabApplication(id: $id) { id orderNo } }',
    { id: applied.applyForProduct.id },
    await tokenOf('grabber'),
  );
  return { handlingId: grabbed.grabApplication.id, orderNo: grabbed.grabApplication.orderNo };
}

/** A grabbed order taken through pre-review and credit to disbursement. */
async function disbursedOrder(): Promise<Order> {
  const order = await grabbedOrder();
  const grabber = await tokenOf('grabber');
  const id = order.handlingId;
  await gql('mutation($id: ID!) { preReview(id: $id, passed: true, note: "电话核实通过") { id } }', { id }, grabber);
  await gql('mutation($id: ID!) { grantCredit(id: $id, input: { amount: "100000", rate: "4.35" }) { id } }', { id }, grabber);
  await gql('mutation($id: ID!) { disburse(id: $id, amount: "100000") { id } }', { id }, grabber);
  return order;
}

/** Wait until the dialog closed and the success bar went, so the screenshot shows the page. */
async function settled(page: Page): Promise<void> {
  await expect(page.locator('.van-dialog:visible')).toHaveCount(0);
  await expect(page.locator('.van-notify:visible')).toHaveCount(0);
}

async function liveConsole(page: Page): Promise<void> {
  await signIn(page, PAGE, 'regulator');
  await expect(page.getByTestId('stream-status').first()).toHaveText('实时推送已连接');
}

test('supervision alerts reach the open console live', async ({ page }) => {
  const order = await disbursedOrder();
  await page.goto(PAGE);
  await expect(page.getByPlaceholder('请输入用户名')).toBeVisible();
  await shot(page, 'regulator-login');
  await liveConsole(page);

  const detail = `企业涉诉，经营异常（核查编号 ${Date.now() % 1_000_000}）`;
  await gql(
    'mutation($id: ID!, $d: String!) { raisePostLoanWarning(handlingId: $id, detail: $d) { id } }',
    { id: order.handlingId, d: detail },
    await tokenOf('regulator'),
  );
  // No reload: the alert arrives on the stream (finance → operations → alerts).
  const row = page.getByTestId('live-alerts').locator('tr', { hasText: detail });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row).toContainText(order.orderNo);
  await expect(row).toContainText('贷后预警');
  await expect(row).toContainText('贵阳银行');

  // A 催单 raised elsewhere arrives the same way.
  const urged = await grabbedOrder();
  await gql('mutation($id: ID!) { urgeHandling(id: $id, note: "请尽快完成电话初审") { id } }',
    { id: urged.handlingId }, await tokenOf('regulator'));
  const urgeRow = page.getByTestId('live-alerts').locator('tr', { hasText: urged.orderNo });
  await expect(urgeRow).toContainText('催单');
  await expect(urgeRow).toContainText('电话初审'); // the order's current stage, with its deadline
  await shot(page, 'regulator-warnings');
});

test('the console shows a lost connection and catches up on the alerts it missed', async ({ page, context }) => {
  const order = await disbursedOrder();
  await liveConsole(page);
  await expect(page.getByTestId('live-alerts').getByRole('button', { name: '查看处理' }).first()).toBeVisible();
  await context.setOffline(true);
  await expect(page.getByTestId('stream-status')).toHaveText('已断开，正在重连');
  // Long enough for the gateway's keep-alive (12 s) to find the socket dead: the stream reconnects.
  await page.waitForTimeout(16_000);
  await shot(page, 'regulator-offline');
  const detail = `断线期间的贷后预警（核查编号 ${Date.now() % 1_000_000}）`;
  await gql(
    'mutation($id: ID!, $d: String!) { raisePostLoanWarning(handlingId: $id, detail: $d) { id } }',
    { id: order.handlingId, d: detail },
    await tokenOf('regulator'),
  );
  await context.setOffline(false);
  await expect(page.getByTestId('stream-status')).toHaveText('实时推送已连接', { timeout: 30_000 });
  // Resumed with `after`: the missed alert is replayed, once.
  await expect(page.getByTestId('live-alerts').locator('tr', { hasText: detail })).toHaveCount(1);
});

test('the alert list reads the newest page first and older alerts on 加载更多', async ({ page }) => {
  // 51 alerts newer than any other: the first page (50) leaves out the oldest of them.
  const order = await disbursedOrder();
  const regulator = await tokenOf('regulator');
  const run = Date.now() % 1_000_000;
  const detail = (i: number): string => `批量核查第 ${i} 项（批次 ${run}）`;
  for (let i = 0; i <= 50; i++) {
    await gql('mutation($id: ID!, $d: String!) { raisePostLoanWarning(handlingId: $id, detail: $d) { id } }',
      { id: order.handlingId, d: detail(i) }, regulator);
  }
  // Each reaches the alerts through operations' consumer: wait for all of them.
  await expect
    .poll(async () => {
      const { alerts } = await gql<{ alerts: { edges: { node: { detail: string } }[] } }>(
        '{ alerts(first: 100) { edges { node { detail } } } }', {}, regulator);
      return alerts.edges.filter((e) => e.node.detail.includes(`批次 ${run}`)).length;
    }, { timeout: 20_000 })
    .toBe(51);

  await liveConsole(page);
  const table = page.getByTestId('live-alerts');
  await expect(table.locator('tbody tr').first()).toContainText(detail(50)); // newest first
  expect(await table.locator('tbody tr').count()).toBeLessThanOrEqual(50); // one page
  await expect(table.locator('tr', { hasText: detail(0) })).toHaveCount(0);
  await expect(table.locator('tr', { hasText: detail(1) })).toHaveCount(1);

  const more = page.getByTestId('more').first().getByRole('button', { name: '加载更多' });
  await more.scrollIntoViewIfNeeded();
  await shot(page, 'regulator-warnings-more');
  await more.click();
  await expect(table.locator('tr', { hasText: detail(0) })).toHaveCount(1);
  expect(await table.locator('tbody tr').count()).toBeGreaterThan(50);
  // The next page follows on: 1 above 0, nothing shown twice.
  const details = await table.locator('tbody tr').allInnerTexts();
  const at = (i: number): number => details.findIndex((text) => text.includes(detail(i)));
  expect(at(1)).toBeLessThan(at(0));
  expect(details.filter((text) => text.includes(detail(1)))).toHaveLength(1);
});

test('催单 and 转单 from the console, recorded in the handling history', async ({ page }) => {
  const order = await grabbedOrder();
  await liveConsole(page);
  await page.getByRole('link', { name: '订单监管' }).click();
  await expect(page.getByTestId('orders').locator('tbody tr').first()).toBeVisible();
  await shot(page, 'regulator-orders');
  await page.getByLabel('订单号').fill(order.orderNo);
  await page.getByRole('button', { name: '查询' }).click();
  const row = page.getByTestId('orders').locator('tbody tr');
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: '督办' }).click();

  const panel = page.getByTestId('handling-panel');
  await expect(panel).toContainText(order.orderNo);
  await panel.getByRole('button', { name: '催单' }).click();
  await page.locator('#urge-note').fill('请于今日内完成电话初审');
  await page.getByRole('button', { name: '确认催单' }).click();
  await expect(page.locator('.van-notify')).toHaveText('已催单');
  await expect(panel.getByTestId('actions')).toContainText('请于今日内完成电话初审');
  await expect(panel).toContainText('1 次');
  await settled(page);
  await shot(page, 'regulator-urge');

  await panel.getByRole('button', { name: '转单' }).click();
  await page.getByTestId('transfer-target').selectOption({ label: '贵州银行' });
  await page.locator('#transfer-note').fill('超时未处理，转贵州银行办理');
  await page.getByRole('button', { name: '确认转单' }).click();
  await expect(page.locator('.van-notify')).toHaveText('已转至 贵州银行');
  await expect(panel.getByTestId('actions')).toContainText('转至 贵州银行');
  await expect(panel).toContainText('已转单');
  await settled(page);
  await shot(page, 'regulator-transfer');
  // The order now waits in 贵州银行's pool: its new handling is one click away.
  await panel.getByRole('button', { name: '查看新受理单' }).click();
  await expect(panel).toContainText('待抢单');
  await expect(panel).toContainText('贵州银行');

  const { handling } = await gql<{
    handling: { status: string; actions: { kind: string; note: string; toInstitution: { name: string } | null }[] };
  }>(
    'query($id: ID!) { handling(id: $id) { status actions { kind note toInstitution { name } } } }',
    { id: order.handlingId },
    await tokenOf('regulator'),
  );
  expect(handling.status).toBe('TRANSFERRED');
  expect(handling.actions.map((a) => [a.kind, a.note, a.toInstitution?.name ?? null])).toEqual(
    expect.arrayContaining([
      ['URGE', '请于今日内完成电话初审', null],
      ['TRANSFER', '超时未处理，转贵州银行办理', '贵州银行'],
    ]),
  );
});

interface Sums {
  orders: number;
  processed: number;
  applied: number;
  credited: number;
  disbursed: number;
}

const fen = (yuan: string | number): number => Math.round(Number(yuan) * 100);

/** The API's figures for the range, summed (amounts in fen). */
async function apiSums(period: string, start: string, end: string): Promise<Sums> {
  const { marketplaceStatistics: stats } = await gql<{
    marketplaceStatistics: {
      orders: number;
      processed: number;
      appliedAmount: string;
      creditedAmount: string;
      disbursedAmount: string;
    }[];
  }>(
    `query($p: StatisticsPeriod!, $s: Date!, $e: Date!) {
      marketplaceStatistics(period: $p, groupBy: INSTITUTION, start: $s, end: $e) {
        orders processed appliedAmount creditedAmount disbursedAmount
      }
    }`,
    { p: period, s: start, e: end },
    await tokenOf('regulator'),
  );
  expect(stats.length).toBeGreaterThan(0);
  return stats.reduce<Sums>(
    (t, s) => ({
      orders: t.orders + s.orders,
      processed: t.processed + s.processed,
      applied: t.applied + fen(s.appliedAmount),
      credited: t.credited + fen(s.creditedAmount),
      disbursed: t.disbursed + fen(s.disbursedAmount),
    }),
    { orders: 0, processed: 0, applied: 0, credited: 0, disbursed: 0 },
  );
}

/** The totals row (合计) of an export: orders, processed, then the three amounts in columns 7–9. */
function sumsOf(cells: (string | number)[]): Sums {
  expect(cells[0]).toBe('合计');
  return {
    orders: Number(cells[2]),
    processed: Number(cells[3]),
    applied: fen(cells[6]!),
    credited: fen(cells[7]!),
    disbursed: fen(cells[8]!),
  };
}

async function range(page: Page): Promise<[string, string]> {
  return [await page.getByLabel('开始日期').inputValue(), await page.getByLabel('结束日期').inputValue()];
}

test('statistics exports (CSV and XLSX) total what the API reports', async ({ page }) => {
  await liveConsole(page);
  await page.getByRole('link', { name: '市场统计' }).click();
  await expect(page.getByTestId('stats-table')).toBeVisible();
  await expect(page.locator('canvas').first()).toBeVisible();
  await shot(page, 'regulator-stats-week');

  // Weekly, CSV (UTF-8 with a BOM).
  let [start, end] = await range(page);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
  expect(csv.suggestedFilename()).toBe(`市场统计_按周_按机构_${start}至${end}.csv`);
  const text = await readFile(await csv.path(), 'utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const lines = text.slice(1).trim().split('\r\n');
  expect(lines[0]).toContain('机构/产品');
  expect(sumsOf(lines.at(-1)!.split(','))).toEqual(await apiSums('WEEK', start, end));

  // Monthly, XLSX (read back with exceljs).
  await page.getByRole('button', { name: '按月' }).click();
  await expect(page.getByTestId('stats-table')).toContainText('月');
  [start, end] = await range(page);
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '导出 Excel' }).click(),
  ]);
  expect(xlsx.suggestedFilename()).toBe(`市场统计_按月_按机构_${start}至${end}.xlsx`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(await xlsx.path());
  const sheet = book.getWorksheet('市场统计')!;
  const last = sheet.getRow(sheet.rowCount).values as (string | number)[];
  expect(sumsOf(last.slice(1))).toEqual(await apiSums('MONTH', start, end));
  expect(book.getWorksheet('区县趋势')!.rowCount).toBeGreaterThan(1);
  await shot(page, 'regulator-stats-month');
});

test('the regulator reviews a complaint the institution answered', async ({ page }) => {
  const order = await grabbedOrder();
  const content = `客户经理迟迟未联系，办理太慢（投诉编号 ${Date.now() % 1_000_000}）`;
  const { submitComplaint } = await gql<{ submitComplaint: { id: string } }>(
    'mutation($i: SubmitComplaintInput!) { submitComplaint(input: $i) { id } }',
    { i: { handlingId: order.handlingId, kind: 'SLOW_HANDLING', content } },
    await tokenOf('applicant'),
  );
  await gql('mutation($id: ID!) { handleComplaint(id: $id, reply: "已致电客户致歉并加快办理") { id } }',
    { id: submitComplaint.id }, await tokenOf('grabber'));

  await liveConsole(page);
  await page.getByRole('link', { name: '投诉复核' }).click();
  const row = page.getByTestId('complaints').locator(`tr[data-order="${order.orderNo}"]`);
  await expect(row).toContainText('待监管复核');
  await expect(row).toContainText('办理超时');
  await row.getByRole('button', { name: '复核' }).click();
  await page.getByRole('radio', { name: '投诉不成立' }).click();
  await page.locator('#review-comment').fill('机构已及时处理并致歉，投诉不成立');
  await shot(page, 'regulator-complaints-review');
  await page.getByRole('button', { name: '提交复核' }).click();
  await expect(page.locator('.van-notify')).toHaveText('复核完成');
  await expect(row).toBeHidden(); // it left the 待复核 list

  await page.getByRole('tab', { name: '已复核' }).click();
  await expect(page.getByTestId('complaints').locator(`tr[data-order="${order.orderNo}"]`)).toContainText('投诉不成立');
  await settled(page);
  await shot(page, 'regulator-complaints');

  const { complaint } = await gql<{ complaint: { status: string; verdict: string; reviewComment: string } }>(
    'query($id: ID!) { complaint(id: $id) { status verdict reviewComment } }',
    { id: submitComplaint.id },
    await tokenOf('regulator'),
  );
  expect(complaint).toEqual({ status: 'REVIEWED', verdict: 'DISMISSED', reviewComment: '机构已及时处理并致歉，投诉不成立' });

  // 退出登录 (after a confirmation) ends the session: the login form covers the console.
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click();
  await expect(page.getByPlaceholder('请输入用户名')).toBeVisible();
});
