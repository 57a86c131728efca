// 首页 / 移动工作台 (src/h5/views/WorkbenchView.vue) with the demo data (subgraphs/seed_workbench.py):
// the demo manager reads an announcement (the unread count drops) and drafts and submits the
// week's report; their branch head sees the announcement addressed to branch heads only.
import type { Page } from '@playwright/test';
import { expect, GATEWAY_URL, gql, shot, signIn, test, tokenOf } from './support';

interface Bench {
  announcements: { nodes: { title: string; read: boolean }[] };
  announcementUnreadCount: number;
  workOrders: { nodes: { id: string }[] };
  pendingApprovals: { title: string }[];
  performanceLeaderboard: { rank: number; staff: { displayName: string } }[];
}

const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

async function bench(username: string): Promise<Bench> {
  return gql<Bench>(
    `query($p: String!) {
      announcements(first: 10) { nodes { title read } }
      announcementUnreadCount
      workOrders(first: 10, mine: true, status: [PENDING, IN_PROGRESS]) { nodes { id } }
      pendingApprovals(first: 10) { title }
      performanceLeaderboard(period: $p, first: 10) { rank staff { displayName } }
    }`,
    { p: month },
    await tokenOf(username),
  );
}

const section = (page: Page, name: string) => page.locator(`[data-test=sec-${name}]`);

test('the manager’s workbench: the seed’s sections, an announcement read, the week’s report submitted', async ({ page }) => {
  await signIn(page, '/h5.html', 'manager');
  const tiles = page.locator('[data-test=workbench-tiles]');
  await expect(tiles).toBeVisible();
  const expected = await bench('manager');

  // One request for the first paint: time a fresh navigation to the filled page.
  // The app shell's own reminder store (UnreadReminders) aside, the page sends the one document.
  const operations: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(GATEWAY_URL)) return;
    // urql sends a short query as GET (in the URL), a long one as POST.
    const text = request.method() === 'GET' ? new URL(request.url()).searchParams.get('query') : request.postData();
    const name = /(?:query|mutation)\s+(\w+)/.exec(text ?? '')?.[1];
    if (name) operations.push(name);
  });
  await page.goto('about:blank');
  const started = Date.now();
  await page.goto('/h5.html#/');
  await section(page, 'announcements').waitFor();
  console.log(`navigation → workbench painted: ${Date.now() - started} ms`);
  expect(operations.filter((name) => name !== 'UnreadReminders')).toEqual(['Workbench']);

  await expect(page.locator('[data-test=tile-orders] .tile-value')).toHaveText(String(expected.workOrders.nodes.length));
  const notices = section(page, 'announcements').locator('[data-announcement]');
  await expect(notices.locator('.van-cell__title span:not(.dot)')).toHaveText(expected.announcements.nodes.map((a) => a.title));
  await expect(notices.filter({ hasText: '支行负责人' })).toHaveCount(0); // addressed to branch heads only
  const board = section(page, 'leaderboard');
  expect(expected.performanceLeaderboard.length).toBeGreaterThan(0);
  await expect(board.locator('[data-rank]')).toHaveCount(expected.performanceLeaderboard.length);
  await expect(board.locator('[data-rank="1"]')).toContainText(expected.performanceLeaderboard[0]!.staff.displayName);
  // Chinese throughout: no enum value shows.
  await expect(page.getByText(/PENDING|IN_PROGRESS|SUBMITTED|DRAFT|LEVEL_\d/)).toHaveCount(0);
  await shot(page, 'h5-workbench');

  // Reading the bank's announcement lowers the unread count.
  const unread = expected.announcementUnreadCount;
  expect(unread).toBeGreaterThan(0);
  await expect(page.locator('[data-test=unread-count]')).toHaveText(`${unread} 条未读`);
  await notices.filter({ hasText: '岁末存款旺季营销启动' }).click();
  await expect(page.locator('[data-test=notice]')).toContainText('每周五前提交周报');
  await shot(page, 'h5-workbench-notice');
  await page.locator('.van-popup__close-icon').first().click();
  if (unread > 1) await expect(page.locator('[data-test=unread-count]')).toHaveText(`${unread - 1} 条未读`);
  else await expect(page.locator('[data-test=unread-count]')).toHaveCount(0);
  expect((await bench('manager')).announcementUnreadCount).toBe(unread - 1);

  // This week's report: drafted from the week's activity, written, submitted.
  const report = section(page, 'report');
  const draft = report.getByRole('button', { name: '起草本周周报' });
  if (await draft.isVisible()) await draft.click();
  else await report.getByRole('button', { name: '编写并提交周报' }).click();
  await page.locator('[data-test=report-summary] textarea').fill('本周走访存量客户 5 户，推介大额存单。');
  await page.locator('[data-test=report-plan] textarea').fill('下周跟进意向客户转化。');
  await shot(page, 'h5-workbench-report');
  await page.locator('[data-test=report-submit]').click();
  await expect(page.locator('[data-test=report-status]')).toHaveText('已提交');
  await expect(report).toContainText('已提交支行负责人审阅');
  await page.locator('.van-toast').waitFor({ state: 'hidden' });
  await shot(page, 'h5-workbench-submitted');
});

test('the branch head’s workbench: approvals waiting and the announcement for branch heads', async ({ page }) => {
  await signIn(page, '/h5.html', 'bh_gz0101');
  const expected = await bench('bh_gz0101');
  await expect(page.locator('[data-test=workbench-tiles]')).toBeVisible();
  await expect(page.locator('[data-test=tile-approvals] .tile-value')).toHaveText(String(expected.pendingApprovals.length));
  const notices = section(page, 'announcements').locator('[data-announcement]');
  await expect(notices.filter({ hasText: '支行负责人：本周业绩检视会' })).toHaveCount(1);
  for (const a of expected.pendingApprovals.slice(0, 3)) await expect(section(page, 'approvals')).toContainText(a.title);
  if (!expected.pendingApprovals.length) await expect(section(page, 'approvals')).toContainText('暂无待审批事项');
  await expect(section(page, 'report')).toBeVisible();
  await shot(page, 'h5-workbench-branch-head');
});

test('操作日志: the pages visited are reported under their menu codes when the app is left', async ({ page }) => {
  const since = new Date().toISOString();
  await signIn(page, '/h5.html', 'manager');
  await expect(page.locator('[data-test=workbench-tiles]')).toBeVisible();
  await page.goto('/h5.html#/search');
  await page.waitForTimeout(1100); // a visit of a second at least
  await page.goto('/h5.html#/schedule');
  // The visit starts once the route's view has loaded (the router's afterEach).
  await expect(page.locator('[data-test=add-schedule]')).toBeVisible();
  // Leaving the app (another app in front, the phone locked) ends the visit and sends the batch.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const reported = async () => {
    const { pageViews } = await gql<{ pageViews: { nodes: { menuCode: string; client: string; seconds: number }[] } }>(
      `query($since: DateTime!) { pageViews(first: 50, filter: { user: "manager", from: $since }) { nodes { menuCode client seconds } } }`,
      { since },
      await tokenOf('secadmin'),
    );
    return pageViews.nodes;
  };
  await expect.poll(async () => (await reported()).map((v) => v.menuCode).sort()).toEqual(
    expect.arrayContaining(['wb.home', 'wb.schedule', 'wb.search']),
  );
  const views = await reported();
  expect(views.every((v) => v.client === 'APP')).toBe(true);
  expect(views.find((v) => v.menuCode === 'wb.search')!.seconds).toBeGreaterThanOrEqual(1);
});
