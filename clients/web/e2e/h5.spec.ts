// H5 客户经理 app: every test signs in on its own and arranges its data through the API, so the
// tests run in any order on a stack seeded with the demo data.
import type { Page } from '@playwright/test';
import { expect, gql, shot, signIn, test, tokenOf } from './support';

interface Row {
  id: string;
  name: string;
  tier: string;
  phone: string | null;
  tags: { name: string }[];
}

const TIER_LABELS: Record<string, string> = {
  ORDINARY: '普通客户',
  POTENTIAL: '潜力客户',
  GROWTH: '成长客户',
  WEALTH: '财富客户',
  PRIVATE: '私行客户',
};

async function firstPage(username: string): Promise<Row[]> {
  const data = await gql<{ customers: { nodes: Row[] } }>(
    '{ customers(first: 20) { nodes { id name tier phone tags { name } } } }',
    {},
    await tokenOf(username),
  );
  return data.customers.nodes;
}

const rows = (page: Page) => page.locator('[data-test=customer-row]');
const tab = (page: Page, name: string) => page.locator('.van-tabbar-item', { hasText: name });

test('login shows the first 20 customers of the manager, timed from navigation to the first row', async ({ page }) => {
  await page.goto('/h5.html');
  await expect(page.getByPlaceholder('请输入用户名')).toBeVisible();
  await shot(page, 'h5-login');
  await signIn(page, '/h5.html', 'manager');
  // 首页 is the workbench (e2e/workbench.spec.ts); 我的客户 opens from its entries.
  await expect(page.locator('[data-test=workbench-tiles]')).toBeVisible();
  await page.locator('[data-test=marketing-entries]').getByText('我的客户').click();
  const expected = (await firstPage('manager')).map((c) => c.name);
  await expect(rows(page)).toHaveCount(20);
  await expect(rows(page).locator('.name')).toHaveText(expected);
  // The tier shows as its Chinese label, never the enum value.
  await expect(page.getByText(/ORDINARY|POTENTIAL|GROWTH|WEALTH|PRIVATE/)).toHaveCount(0);

  // Signed in (the session is kept in sessionStorage): time a fresh navigation to the first row.
  await page.goto('about:blank');
  const started = Date.now();
  await page.goto('/h5.html#/customers');
  await rows(page).first().waitFor();
  console.log(`navigation → first customer row: ${Date.now() - started} ms`);
  await expect(rows(page)).toHaveCount(20);
  await expect(page.getByText('待办提醒')).toBeVisible();
  await shot(page, 'h5-customers');

  // More customers on scrolling (van-list).
  await rows(page).nth(19).scrollIntoViewIfNeeded();
  await page.mouse.wheel(0, 4000);
  await expect.poll(() => rows(page).count()).toBeGreaterThan(20);

  // Back to 首页 (the workbench), then 我的 and logout.
  await page.locator('.van-nav-bar__left').click();
  await expect(page.locator('[data-test=workbench-tiles]')).toBeVisible();
  await tab(page, '我的').click();
  await expect(page.getByText('退出登录')).toBeVisible();
  await expect(page.locator('.profile .name')).not.toBeEmpty();
  await shot(page, 'h5-me');
  await page.locator('[data-test=logout]').click();
  await page.getByRole('button', { name: '确认' }).click();
  await expect(page.getByPlaceholder('请输入用户名')).toBeVisible();
});

test('a branch head sees exactly the masked phones the API returns', async ({ page }) => {
  const expected = await firstPage('bh_gz0101');
  expect(expected.some((c) => c.phone?.includes('*'))).toBe(true);
  await signIn(page, '/h5.html', 'bh_gz0101');
  await page.goto('/h5.html#/customers');
  await expect(rows(page)).toHaveCount(20);
  await expect(rows(page).locator('[data-test=phone]')).toHaveText(expected.map((c) => c.phone ?? ''));
  // No full mobile number anywhere on the page.
  expect(await page.locator('body').innerText()).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
  await shot(page, 'h5-masked');

  // The customer view shows the masked phone too.
  const masked = expected.find((c) => c.phone?.includes('*'))!;
  await page.goto(`/h5.html#/customer/${masked.id}`);
  await expect(page.locator('[data-test=detail-phone] .van-cell__value')).toHaveText(masked.phone!);
});

/** "Connected" may come a moment before the server's subscription is in place: add warm-up
 * reminders until one arrives, so the measured one tests delivery, not subscription set-up. */
async function streamReady(page: Page, customerId: string): Promise<void> {
  const token = await tokenOf('manager');
  for (let attempt = 0; ; attempt++) {
    const title = `连接确认 ${Date.now()}`;
    await gql(
      'mutation($input: AddReminderInput!) { addReminder(input: $input) { id } }',
      { input: { customerId, kind: 'ASSET_CHANGE', title } },
      token,
    );
    try {
      await expect(page.getByText(title)).toBeVisible({ timeout: 3_000 });
      return;
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
}

test('a reminder added by a mutation appears on the open 我的客户 within 2 s, and reads', async ({ page }) => {
  const [customer] = await firstPage('manager');
  await signIn(page, '/h5.html', 'manager');
  await page.goto('/h5.html#/customers');
  await expect(rows(page)).toHaveCount(20);
  const badge = page.locator('[data-test=reminder-badge] .van-badge');
  await expect(page.locator('[role=status]')).toHaveCount(0); // the stream is live
  await streamReady(page, customer.id);
  const before = Number((await badge.textContent()) || '0');

  const title = `测试提醒 ${Date.now()}`;
  await gql(
    'mutation($input: AddReminderInput!) { addReminder(input: $input) { id } }',
    { input: { customerId: customer.id, kind: 'APPOINTMENT', title } },
    await tokenOf('manager'),
  );
  await expect(page.getByText(title)).toBeVisible({ timeout: 2_000 });
  await expect(badge).toHaveText(String(before + 1), { timeout: 2_000 });

  // The full list (bell), then tapping the reminder marks it read and opens its customer.
  await page.getByLabel('未读提醒').click();
  const popup = page.locator('.van-popup--bottom');
  await expect(popup.getByText(title)).toBeVisible();
  await shot(page, 'h5-reminders');
  await popup.getByText(title).click();
  await expect(page.getByText('客户视图')).toBeVisible();
  await expect(page.locator('.hero .name')).toContainText(customer.name);
  await page.goto('/h5.html#/customers');
  await expect(badge).toHaveText(String(before));
  await expect(page.getByText(title)).toHaveCount(0);
});

test('search by tier, tag and text, and by exact phone, finds the customer', async ({ page }) => {
  const customer = (await firstPage('manager')).find((c) => c.tags.length && c.phone)!;
  await signIn(page, '/h5.html', 'manager');
  await tab(page, '客户').click();
  await page.getByPlaceholder('客户姓名 / 客户号').fill(customer.name);
  await page.locator('.chip', { hasText: TIER_LABELS[customer.tier] }).click();
  // 常用标签 chips (from my customers' tags), else typed.
  await expect(page.locator('.chips')).toHaveCount(2);
  const tagChip = page.locator('.chip', { hasText: customer.tags[0].name });
  if (await tagChip.count()) await tagChip.click();
  else await page.getByPlaceholder('多个标签用空格分隔').fill(customer.tags[0].name);
  await page.locator('[data-test=search]').click();
  await expect(rows(page).filter({ hasText: customer.name }).first()).toBeVisible();
  await expect(rows(page).locator('.name').first()).toContainText(customer.name);
  await shot(page, 'h5-search');

  await page.getByRole('tab', { name: '精确查找' }).click();
  // Spaces and hyphens are ignored by the API.
  await page.getByPlaceholder('请输入完整手机号').fill(`${customer.phone!.slice(0, 3)} ${customer.phone!.slice(3)}`);
  await page.locator('[data-test=search]').click();
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).locator('.name')).toHaveText(customer.name);

  await page.getByPlaceholder('请输入完整手机号').fill('13000000000');
  await page.locator('[data-test=search]').click();
  await expect(page.getByText('未找到符合条件的客户')).toBeVisible();
});

test('customer 360 shows its blocks, and a recorded contact shows in the contacts block', async ({ page }) => {
  const customer = (await firstPage('manager')).find((c) => c.tags.length)!;
  await signIn(page, '/h5.html', 'manager');
  await page.goto(`/h5.html#/customer/${customer.id}`);
  await expect(page.locator('.hero .name')).toContainText(customer.name);
  await expect(page.locator('.hero')).toContainText(TIER_LABELS[customer.tier]);
  for (const block of ['基本信息', '管户信息', '接触记录', '资产与价值', '关键事件', '商机与融资需求', '授权与征信', '管户与等级历史']) {
    await expect(page.getByText(block, { exact: true })).toBeVisible();
  }
  for (const block of ['资产与价值', '关键事件', '授权与征信', '管户与等级历史']) {
    await page.getByText(block, { exact: true }).click();
  }
  await expect(page.getByText('价值趋势（近 6 个月资产合计）')).toBeVisible();
  await expect(page.getByText('征信报告')).toBeVisible();
  await expect(page.locator('.van-skeleton')).toHaveCount(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300); // the panels' open animation
  await shot(page, 'h5-customer');

  const summary = `电话回访，介绍稳健理财 ${Date.now()}`;
  await page.getByRole('button', { name: '记录接触' }).click();
  await expect(page.locator('.brief .name')).toHaveText(customer.name);
  await page.getByRole('radio', { name: '走访' }).click();
  await expect(page.getByRole('radio', { name: '走访' })).toHaveAttribute('aria-checked', 'true');
  await page.getByPlaceholder('如：电话回访，客户对稳健理财有兴趣').fill(summary);
  // 再次联系: the date picker opens on today; confirm it.
  await page.getByPlaceholder('可选，当天提醒').click();
  await page.getByRole('button', { name: '确定' }).click();
  await expect(page.getByPlaceholder('可选，当天提醒')).toHaveValue(/^\d{4}-\d{2}-\d{2}$/);
  await expect(page.locator('.van-popup--bottom')).toBeHidden();
  await shot(page, 'h5-contact');
  await page.getByRole('button', { name: '保存接触记录' }).click();
  await expect(page.getByText('客户视图')).toBeVisible();
  await expect(page.locator('[data-test=contact]').first()).toContainText(summary);
  await expect(page.locator('[data-test=contact]').first()).toContainText('走访');
});

test('a tier change request is answered and can be withdrawn', async ({ page }) => {
  const customer = (await firstPage('manager'))[3];
  const token = await tokenOf('manager');
  // Withdraw a pending request left by an earlier run (one pending request per customer).
  const pending = await gql<{ tierChangeRequests: { nodes: { id: string }[] } }>(
    'query($id: ID!) { tierChangeRequests(customerId: $id, status: PENDING) { nodes { id } } }',
    { id: customer.id },
    token,
  );
  for (const r of pending.tierChangeRequests.nodes) {
    await gql('mutation($id: ID!) { withdrawTierChange(id: $id) { id } }', { id: r.id }, token);
  }
  const target = customer.tier === 'WEALTH' ? 'GROWTH' : 'WEALTH';

  await signIn(page, '/h5.html', 'manager');
  await page.goto(`/h5.html#/customer/${customer.id}/tier`);
  await expect(page.locator('.brief .name')).toHaveText(customer.name);
  await page.getByRole('radio', { name: TIER_LABELS[target] }).click();
  await page.getByPlaceholder('如：客户新增大额存款，资产已达财富客户标准').fill('客户资产变化，申请调整等级');
  await page.getByRole('button', { name: '提交申请' }).click();
  await expect(page.locator('[data-test=tier-answer]')).toHaveText(
    `已提交：${TIER_LABELS[customer.tier]} → ${TIER_LABELS[target]}，待审批`,
  );
  await expect(page.locator('.van-cell', { hasText: '待审批' }).first()).toBeVisible();
  await expect(page.locator('.van-toast')).toBeHidden();
  await shot(page, 'h5-tier');

  // The requester may withdraw it while pending.
  const first = page.locator('.van-cell', { hasText: '待审批' }).first();
  await first.getByText('撤回').click();
  await page.getByRole('button', { name: '确认' }).click();
  await expect(page.locator('.van-cell', { hasText: '待审批' })).toHaveCount(0);
});

test('schedule: add an item, see it, remove it', async ({ page }) => {
  await signIn(page, '/h5.html', 'manager');
  await tab(page, '日程').click();
  await expect(page.getByText('我的日程')).toBeVisible();
  const title = `拜访客户 ${Date.now() % 100000}`;
  await page.locator('[data-test=add-schedule]').click();
  await page.getByPlaceholder('如：拜访客户，介绍理财产品').fill(title);
  await page.getByRole('button', { name: '保存' }).click();
  const item = page.locator('[data-test=schedule-item]', { hasText: title });
  await expect(item).toBeVisible();
  await expect(page.locator('.van-popup--bottom')).toBeHidden();
  await expect(page.locator('.van-toast')).toBeHidden();
  await shot(page, 'h5-schedule');
  await item.locator('[data-test=remove-schedule]').click();
  await page.getByRole('button', { name: '确认' }).click();
  await expect(item).toHaveCount(0);
});

test("another manager's customer shows the Chinese not-found message, not raw English", async ({ page }) => {
  const others = (await firstPage('bh_gz0101')).map((c) => c.id);
  const mine = new Set((await firstPage('manager')).map((c) => c.id));
  const data = await gql<{ customers: { nodes: { id: string; primaryManager: { username: string } | null }[] } }>(
    '{ customers(first: 50) { nodes { id primaryManager { username } } } }',
    {},
    await tokenOf('bh_gz0101'),
  );
  const foreign = data.customers.nodes.find((c) => c.primaryManager?.username !== 'manager' && !mine.has(c.id))?.id ?? others[0];
  await signIn(page, '/h5.html', 'manager');
  await page.goto(`/h5.html#/customer/${foreign}`);
  await expect(page.locator('[data-test=not-found]')).toContainText('客户不存在或您无权查看该客户');
  await shot(page, 'h5-forbidden');
  expect(await page.locator('body').innerText()).not.toMatch(/not found|forbidden|error/i);

  // A contact for that customer is refused with the Chinese sentence of NOT_FOUND.
  await page.goto(`/h5.html#/customer/${foreign}/contact`);
  await expect(page.locator('.brief')).toContainText('客户不存在或您无权查看该客户');
  await page.getByPlaceholder('如：电话回访，客户对稳健理财有兴趣').fill('越权记录测试');
  await page.getByRole('button', { name: '保存接触记录' }).click();
  await expect(page.locator('.error[role=alert]')).toHaveText('记录不存在或无权查看');
});

test('a company shows its key people and repayment calendar; the credit report follows the consent', async ({ page }) => {
  const token = await tokenOf('manager');
  const corporate = await gql<{ customers: { nodes: { id: string; name: string }[] } }>(
    '{ customers(first: 1, filter: { kind: CORPORATE }) { nodes { id name } } }',
    {},
    token,
  );
  const people = await gql<{ customers: { nodes: { id: string; consents: { purpose: string; live: boolean }[] }[] } }>(
    '{ customers(first: 20, filter: { kind: RETAIL }) { nodes { id consents { purpose live } } } }',
    {},
    token,
  );
  const creditLive = (c: { consents: { purpose: string; live: boolean }[] }) =>
    c.consents.some((x) => x.purpose === 'CREDIT_REPORT' && x.live);
  const without = people.customers.nodes.find((c) => !creditLive(c))!;
  const consenting = people.customers.nodes.filter((c) => c.id !== without.id)[0];
  const expiresAt = new Date(Date.now() + 180 * 86_400_000).toISOString();
  await gql(
    'mutation($input: ConsentInput!) { grantConsent(input: $input) { id } }',
    { input: { customerId: consenting.id, purpose: 'CREDIT_REPORT', expiresAt, evidence: 'SQ-E2E-001' } },
    token,
  );

  await signIn(page, '/h5.html', 'manager');
  if (corporate.customers.nodes.length) {
    const company = corporate.customers.nodes[0];
    await page.goto(`/h5.html#/customer/${company.id}`);
    await expect(page.locator('.hero .name')).toContainText(company.name);
    await expect(page.getByText('统一社会信用代码')).toBeVisible();
    await page.getByText('关系与股权', { exact: true }).click();
    await page.getByText('逾期、还款与外部数据', { exact: true }).click();
    await expect(page.getByText('实际控制人 / 法定代表人 / 高管')).toBeVisible();
    await expect(page.getByText('还款日历（未来 90 天）')).toBeVisible();
    await expect(page.locator('.van-skeleton')).toHaveCount(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'h5-customer-company');
  }

  await page.goto(`/h5.html#/customer/${without.id}`);
  await page.getByText('授权与征信', { exact: true }).click();
  await expect(page.locator('[data-test=credit-locked]')).toHaveText('客户未授权查询征信');

  await page.goto(`/h5.html#/customer/${consenting.id}`);
  await page.getByText('授权与征信', { exact: true }).click();
  await expect(page.getByText('SQ-E2E-001').or(page.locator('.b-item', { hasText: '征信查询' })).first()).toBeVisible();
  await expect(page.getByText('有效').first()).toBeVisible();
  await expect(page.locator('[data-test=credit-locked]')).toHaveCount(0);
});

test('reminders missed while offline arrive after reconnecting (resumed with after)', async ({ page, context }) => {
  const [customer] = await firstPage('manager');
  await signIn(page, '/h5.html', 'manager');
  await page.goto('/h5.html#/customers');
  await expect(rows(page)).toHaveCount(20);
  await expect(page.locator('[role=status]')).toHaveCount(0);
  await streamReady(page, customer.id);
  const token = await tokenOf('manager');
  // One live event first: the stream then resumes after it.
  const live = `在线时的提醒 ${Date.now()}`;
  await gql(
    'mutation($input: AddReminderInput!) { addReminder(input: $input) { id } }',
    { input: { customerId: customer.id, kind: 'ASSET_CHANGE', title: live } },
    token,
  );
  await expect(page.getByText(live)).toBeVisible({ timeout: 2_000 });
  await context.setOffline(true);
  await expect(page.getByText('推送已断开，正在重连…')).toBeVisible({ timeout: 20_000 });
  await shot(page, 'h5-offline');
  const title = `离线期间的提醒 ${Date.now()}`;
  await gql(
    'mutation($input: AddReminderInput!) { addReminder(input: $input) { id } }',
    { input: { customerId: customer.id, kind: 'ASSET_CHANGE', title } },
    token,
  );
  await context.setOffline(false);
  await expect(page.getByText(title)).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('[role=status]')).toHaveCount(0);
  // Each once: the replay and the reload do not show one twice.
  await expect(page.getByText(title)).toHaveCount(1);
  await expect(page.getByText(live)).toHaveCount(1);
});
