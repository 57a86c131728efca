// H5 营销: 我的工单 (list, detail, 反馈) for the demo manager and 方案进度 for the demo branch head,
// on the demo seed's running precision scheme (岁末存款旺季精准营销). Each test signs in on its own.
import type { Page } from '@playwright/test';
import { expect, gql, shot, signIn, test, tokenOf } from './support';

const SCHEME = '岁末存款旺季精准营销';
const orders = (page: Page) => page.locator('[data-test=work-order]');

interface Order {
  id: string;
  status: string;
  customer: { name: string } | null;
}

async function myOrders(status: string): Promise<Order[]> {
  const data = await gql<{ workOrders: { nodes: Order[] } }>(
    'query($s: [WorkOrderStatus!]) { workOrders(first: 100, mine: true, status: $s) { nodes { id status customer { name } } } }',
    { s: [status] },
    await tokenOf('manager'),
  );
  return data.workOrders.nodes;
}

test('a manager lists their work orders and gives feedback on one', async ({ page }) => {
  const pending = await myOrders('PENDING');
  expect(pending.length).toBeGreaterThan(0);
  await signIn(page, '/h5.html', 'manager');
  await page.locator('[data-test=marketing-entries]').getByText('我的工单').click();
  await expect(orders(page)).toHaveCount(Math.min(pending.length, 20));
  await expect(orders(page).first()).toContainText('待处理');
  await expect(orders(page).first()).toContainText(SCHEME);
  // No enum value shows: statuses, channels and results are in Chinese.
  await expect(page.getByText(/PENDING|IN_PROGRESS|PRECISION/)).toHaveCount(0);
  await shot(page, 'h5-work-orders');

  const name = await orders(page).first().locator('.van-cell__title span').first().innerText();
  await orders(page).first().click();
  await expect(page.getByText('工单详情')).toBeVisible();
  await expect(page.getByText(SCHEME)).toBeVisible();
  await expect(page.getByText(name).first()).toBeVisible();
  await page.getByRole('radio', { name: '手机银行' }).click();
  await page.getByRole('radio', { name: '已转化' }).click();
  await page.getByPlaceholder('单位：元').fill('80000');
  await page.getByPlaceholder('如：客户已购买三年期定期存款').fill('客户通过手机银行购买大额存单');
  await shot(page, 'h5-work-order-feedback');
  await page.getByRole('button', { name: '提交反馈' }).click();
  await expect(page.getByText('反馈已提交')).toBeVisible();
  await expect(page.getByText('我的工单')).toBeVisible();

  // The order is done: the API and the 已完成 tab agree.
  const done = await myOrders('DONE');
  expect(done.some((o) => o.customer?.name === name)).toBe(true);
  await page.locator('.van-tab', { hasText: '已完成' }).click();
  await expect(orders(page).filter({ hasText: name }).first()).toBeVisible();
  await shot(page, 'h5-work-orders-done');
});

test('a branch head follows the scheme: indicators split, managers and channels', async ({ page }) => {
  const token = await tokenOf('bh_gz0101');
  const { marketingSchemes } = await gql<{
    marketingSchemes: { nodes: { id: string; name: string; managerProgress: { manager: { displayName: string } }[] }[] };
  }>(
    '{ marketingSchemes(first: 50, status: RUNNING) { nodes { id name managerProgress { manager { displayName } } } } }',
    {},
    token,
  );
  const scheme = marketingSchemes.nodes.find((s) => s.name === SCHEME);
  expect(scheme).toBeTruthy();
  await signIn(page, '/h5.html', 'bh_gz0101');
  await page.locator('[data-test=marketing-entries]').getByText('方案进度').click();
  await expect(page.locator('[data-test=scheme]', { hasText: SCHEME })).toBeVisible();
  await shot(page, 'h5-schemes');
  await page.locator('[data-test=scheme]', { hasText: SCHEME }).click();
  await expect(page.locator('[data-test=indicator]')).toHaveCount(3);
  await expect(page.getByText('接触客户数')).toBeVisible();
  await expect(page.getByText(/客户经理：/).first()).toBeVisible();
  await expect(page.locator('[data-test=manager-progress]')).toHaveCount(scheme!.managerProgress.length);
  for (const m of scheme!.managerProgress) {
    await expect(page.locator('[data-test=manager-progress]', { hasText: m.manager.displayName })).toBeVisible();
  }
  await expect(page.getByText('线上').first()).toBeVisible(); // 手机银行 is an online channel
  await expect(page.getByText(/CONTACTS|MOBILE_BANKING|RUNNING/)).toHaveCount(0);
  await shot(page, 'h5-scheme-progress');
});
