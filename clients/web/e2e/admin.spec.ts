// 平台管理 console (admin.html) at 1440×900, one demo admin per section (三员分立): the security admin
// manages users and reads the login log, the audit admin reads and exports the log, the business
// admin manages the org tree (new, moved, closed orgs), the head office reads a business report and
// sets its tenant's parameters; the audit admin reads a user's change history and the 操作日志;
// the operator approves a registration and onboards an institution.
// Each role sees only its menu.
import ExcelJS from 'exceljs';
import type { Page } from '@playwright/test';
import { PASSWORD, creditCode, expect, gql, shot, signIn, test, tokenOf } from './support';

const PAGE = '/admin.html';
const run = (): string => String(Date.now() % 1_000_000_000);

async function menu(page: Page): Promise<string[]> {
  await expect(page.locator('nav .item').first()).toBeVisible();
  return (await page.locator('nav .item').allInnerTexts()).map((t) => t.trim());
}

async function settled(page: Page): Promise<void> {
  await expect(page.locator('.van-dialog:visible')).toHaveCount(0);
  await expect(page.locator('.van-notify:visible')).toHaveCount(0);
}

async function readXlsx(path: string): Promise<ExcelJS.Worksheet> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  return book.worksheets[0]!;
}

test('用户管理: the security admin creates a user (password shown once) and disables it', async ({ page }) => {
  await page.goto(PAGE);
  await expect(page.getByPlaceholder('请输入用户名')).toBeVisible();
  await shot(page, 'admin-login');
  await signIn(page, PAGE, 'secadmin');
  expect(await menu(page)).toEqual(['用户管理', '日志管理', '操作日志']);
  await expect(page.getByTestId('users').locator('tbody tr').first()).toBeVisible();

  const username = `cm_e2e_${run()}`;
  await page.getByRole('button', { name: '新增用户' }).click();
  await page.locator('#new-username').fill(username);
  await page.locator('#new-name').fill('测试客户经理');
  await page.locator('#new-org').selectOption({ label: '贵阳农商银行' });
  await page.locator('#new-role').selectOption({ label: '客户经理' });
  await page.getByRole('button', { name: '创建' }).click();
  const issued = page.getByTestId('issued');
  await expect(issued).toContainText(username);
  const password = (await issued.locator('.password').innerText()).trim();
  expect(password.length).toBeGreaterThanOrEqual(8);
  await shot(page, 'admin-users-created');
  await page.getByRole('button', { name: '我已记下' }).click();

  // The new user logs in with it once and must change it.
  const first = await fetch(process.env.DCMS_GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
      variables: { u: username, p: password },
    }),
  }).then((r) => r.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>);
  expect(first.errors?.[0]?.extensions?.code).toBe('PASSWORD_CHANGE_REQUIRED');

  await page.getByLabel('登录名或姓名').fill(username);
  await page.getByRole('button', { name: '查询' }).click();
  const row = page.getByTestId('users').locator(`tr[data-user="${username}"]`);
  await expect(page.getByTestId('users').locator('tbody tr')).toHaveCount(1);
  await expect(row).toContainText('正常');
  await expect(row).toContainText('待改密');
  await expect(row).toContainText('贵阳农商银行');
  await row.getByRole('button', { name: '停用' }).click();
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click();
  await expect(row).toContainText('已停用');
  await settled(page);
  await shot(page, 'admin-users');

  const { users } = await gql<{ users: { nodes: { username: string; disabled: boolean }[] } }>(
    'query($s: String) { users(search: $s) { nodes { username disabled } } }',
    { s: username },
    await tokenOf('secadmin'),
  );
  expect(users.nodes).toEqual([{ username, disabled: true }]);
});

test('日志管理: the audit admin reads the login log and exports it as XLSX', async ({ page }) => {
  await signIn(page, PAGE, 'auditor');
  expect(await menu(page)).toEqual(['用户变更历史', '日志管理', '操作日志', '参数管理']);
  await page.locator('nav .item', { hasText: '日志管理' }).click();
  const table = page.getByTestId('login-events');
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await page.getByLabel('登录名').fill('auditor');
  await page.getByRole('button', { name: '查询' }).click();
  await expect(table.locator('tbody tr').first()).toContainText('auditor');
  await expect(table.locator('tbody tr').first()).toContainText('登录成功');
  await shot(page, 'admin-logs');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const sheet = await readXlsx(await download.path());
  expect(sheet.rowCount).toBeGreaterThan(1);
  const cells = sheet.getRow(2).values as unknown[];
  expect(cells.map(String).join(' ')).toContain('auditor');
});

test('菜单及功能管理: the platform admin sees every menu with its use, the console’s own visits counted', async ({ page }) => {
  await signIn(page, PAGE, 'platform');
  await page.locator('nav .item', { hasText: '角色管理' }).click();
  await expect(page.getByTestId('roles')).toBeVisible();
  // Leaving the console sends the visits (lib/pageViews.ts); they count under the menu codes.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const views = async (code: string) => {
    const { menuCatalogue } = await gql<{ menuCatalogue: { menu: { code: string }; views: number }[] }>(
      '{ menuCatalogue(client: PC) { menu { code } views } }',
      {},
      await tokenOf('platform'),
    );
    return menuCatalogue.find((m) => m.menu.code === code)?.views ?? -1;
  };
  await expect.poll(() => views('admin.roles')).toBeGreaterThan(0);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.locator('nav .item', { hasText: '菜单及功能管理' }).click();
  const table = page.getByTestId('menus');
  await expect(table.locator('tr[data-menu="wb.home"]')).toContainText('工作台');
  await expect(table.locator('tr[data-menu="admin.users"]')).toContainText('用户管理');
  await expect(table.locator('tr[data-menu="admin.roles"] td.num').first()).not.toHaveText('0');
  await page.locator('select[aria-label="终端"]').selectOption('APP');
  await expect(table.locator('tr[data-menu="admin.users"]')).toHaveCount(0);
  await settled(page);
  await shot(page, 'admin-menus');
});

test('机构管理: the business admin opens the org tree and creates an org', async ({ page }) => {
  await signIn(page, PAGE, 'platform');
  expect(await menu(page)).toEqual(['机构管理', '角色管理', '菜单及功能管理', '参数管理']);
  const tree = page.getByTestId('org-tree');
  const bank = tree.locator('[data-org="贵阳农商银行"]');
  await expect(bank).toBeVisible();
  await bank.getByRole('button', { name: '展开' }).click();
  await bank.click();
  await expect(page.getByTestId('org-detail')).toContainText('成员行');

  const code = `E2E${run()}`;
  const name = `贵阳农商银行测试支行${code.slice(-4)}`;
  await page.getByRole('button', { name: '新增下级机构' }).click();
  await page.locator('#org-code').fill(code);
  await page.locator('#org-name').fill(name);
  await page.locator('#org-kind').selectOption({ label: '支行' });
  await page.getByRole('button', { name: '创建' }).click();
  await expect(page.locator('.van-notify')).toHaveText(`已新增 ${name}`);
  await expect(tree.locator(`[data-org="${name}"]`)).toBeVisible();
  await settled(page);
  await shot(page, 'admin-orgs');
});

test('业务报表: the head office reads last month’s report and exports it', async ({ page }) => {
  await signIn(page, PAGE, 'hq_gz01');
  expect(await menu(page)).toEqual(['参数管理', '业务报表']);
  await page.locator('nav .item', { hasText: '业务报表' }).click();
  const table = page.getByTestId('report');
  await expect(table.locator('tbody tr').first()).toBeVisible({ timeout: 15_000 });
  const shown = await table.locator('tbody tr').count();
  await shot(page, 'admin-reports');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const sheet = await readXlsx(await download.path());
  const headers = (await table.locator('thead th').allInnerTexts()).map((h) => h.trim());
  // The bank's layout: the title, the period, the header row, then a row per org or manager.
  expect(String(sheet.getRow(1).getCell(1).value)).toContain(await page.locator('h2.title').evaluate((h) => h.firstChild!.textContent!.trim()));
  expect((sheet.getRow(3).values as unknown[]).slice(1).map(String)).toEqual(headers);
  expect(sheet.rowCount - 3).toBeGreaterThanOrEqual(shown);
  expect(String(sheet.getRow(4).getCell(1).value)).toBe((await table.locator('tbody tr td').first().innerText()).trim());
});

test('用户变更历史: the audit admin reads who changed a user, field by field', async ({ page }) => {
  // A user created and disabled by the security admin: two changes.
  const security = await tokenOf('secadmin');
  const { me } = await gql<{ me: { org: { id: string } } }>('{ me { org { id } } }', {}, await tokenOf('hq_gz01'));
  const username = `cm_hist_${run()}`;
  const { createUser } = await gql<{ createUser: { user: { id: string } } }>(
    'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }',
    { i: { username, displayName: '历史测试', orgId: me.org.id, roles: ['CUSTOMER_MANAGER'] } },
    security,
  );
  await gql('mutation($id: ID!) { disableUser(id: $id) { id } }', { id: createUser.user.id }, security);

  await signIn(page, PAGE, 'auditor');
  await page.locator('nav .item', { hasText: '用户变更历史' }).click();
  await page.getByLabel('登录名或姓名').fill(username);
  await page.getByRole('button', { name: '查询' }).click();
  await page.getByTestId('history-users').locator(`[data-user="${username}"]`).click();
  const rows = page.getByTestId('user-changes').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('停用');
  await expect(rows.nth(0)).toContainText('安全管理员');
  await expect(rows.nth(1)).toContainText('新增用户');
  await expect(rows.nth(1)).toContainText('客户经理');
  await expect(page.getByText(/CREATED|DISABLED|displayName/)).toHaveCount(0);
  await shot(page, 'admin-user-changes');
});

test('操作日志: the audit admin finds a page view by menu and exports it', async ({ page }) => {
  const menuCode = `admin.e2e-${run()}`;
  await gql(
    'mutation($v: [PageViewInput!]!) { recordPageViews(views: $v) { stored } }',
    { v: [{ viewId: `view-${run()}`, menuCode, client: 'PC', enteredAt: new Date().toISOString(), seconds: 75 }] },
    await tokenOf('secadmin'),
  );
  await signIn(page, PAGE, 'auditor');
  await page.locator('nav .item', { hasText: '操作日志' }).click();
  await page.getByLabel('菜单编码').fill(menuCode);
  await page.getByRole('button', { name: '查询' }).click();
  const table = page.getByTestId('page-views');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.locator('tbody tr')).toContainText('secadmin');
  await expect(table.locator('tbody tr')).toContainText('电脑端');
  await expect(table.locator('tbody tr')).toContainText('1 分 15 秒');
  await shot(page, 'admin-page-views');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const sheet = await readXlsx(await download.path());
  expect(sheet.rowCount).toBeGreaterThan(1);
});

test('机构管理: the business admin moves an org under another and closes it; a refusal shows in Chinese', async ({ page }) => {
  const platform = await tokenOf('platform');
  const { me } = await gql<{ me: { org: { id: string } } }>('{ me { org { id } } }', {}, await tokenOf('hq_gz01'));
  const code = `MV${run()}`;
  const make = async (suffix: string): Promise<string> => {
    const { createOrg } = await gql<{ createOrg: { name: string } }>(
      'mutation($i: CreateOrgInput!) { createOrg(input: $i) { name } }',
      { i: { parentId: me.org.id, code: `${code}${suffix}`, name: `迁移测试${suffix}支行${code.slice(-4)}`, kind: 'BRANCH' } },
      platform,
    );
    return createOrg.name;
  };
  const moved = await make('A');
  const parent = await make('B');

  await signIn(page, PAGE, 'platform');
  const tree = page.getByTestId('org-tree');
  const bank = tree.locator('[data-org="贵阳农商银行"]');
  await bank.getByRole('button', { name: '展开' }).click();
  await tree.locator(`[data-org="${moved}"]`).click();
  await page.getByRole('button', { name: '调整上级' }).click();
  const option = page.locator('#org-target option', { hasText: parent });
  await expect(option).toHaveCount(1);
  await page.locator('#org-target').selectOption((await option.getAttribute('value'))!);
  await shot(page, 'admin-orgs-move');
  await page.locator('.van-dialog').getByRole('button', { name: '调整' }).click();
  await expect(page.locator('.van-notify')).toHaveText(`已调整 ${moved} 的上级机构`);
  await settled(page);

  // The new parent has a child now: closing it is refused, in Chinese.
  await tree.locator(`[data-org="${parent}"]`).click();
  await page.getByRole('button', { name: '撤销机构' }).click();
  await page.locator('.van-dialog').getByRole('button', { name: '撤销' }).click();
  await expect(page.locator('.van-notify')).toHaveText('该机构仍有下级机构，请先调整或撤销');
  await shot(page, 'admin-orgs-close-refused');
  await page.locator('.van-dialog').getByRole('button', { name: '取消' }).click();

  // The moved org closes (nobody to hand over); it leaves the tree.
  await tree.locator(`[data-org="${parent}"]`).getByRole('button', { name: '展开' }).click();
  await tree.locator(`[data-org="${moved}"]`).click();
  await page.getByRole('button', { name: '撤销机构' }).click();
  await page.locator('.van-dialog').getByRole('button', { name: '撤销' }).click();
  await expect(page.locator('.van-notify')).toHaveText(`已撤销 ${moved}`);
  await expect(tree.locator(`[data-org="${moved}"]`)).toHaveCount(0);
  await settled(page);
  await shot(page, 'admin-orgs-closed');
});

test('参数管理: the platform admin sets an escalation time; a bad value is refused in Chinese', async ({ page }) => {
  const { parameters } = await gql<{ parameters: { key: string; value: string; editable: boolean }[] }>(
    '{ parameters { key value editable } }',
    {},
    await tokenOf('platform'),
  );
  const editable = parameters.find((p) => p.editable);
  expect(editable).toBeTruthy();
  await signIn(page, PAGE, 'platform');
  await page.locator('nav .item', { hasText: '参数管理' }).click();
  const table = page.getByTestId('parameters');
  await expect(table.locator('tbody tr')).toHaveCount(parameters.length);
  // The others say where they are changed, in Chinese.
  await expect(table).not.toContainText(/ and restart|setApprovalFlow|setParameter/);
  await shot(page, 'admin-parameters');

  const row = table.locator(`tr[data-parameter="${editable!.key}"]`);
  await row.getByRole('button', { name: '修改' }).click();
  await page.locator('#param-value').fill('一百万');
  await page.locator('.van-dialog').getByRole('button', { name: '保存' }).click();
  await expect(page.locator('.van-notify')).toContainText(/分钟数须为 \d+–\d+ 的整数/);
  await shot(page, 'admin-parameters-refused');
  await page.locator('#param-value').fill(String(JSON.parse(editable!.value)));
  await page.locator('.van-dialog').getByRole('button', { name: '保存' }).click();
  await expect(page.locator('.van-notify')).toContainText('已修改');
  await settled(page);
});

test('注册审核: the pending applicant is refused at login, the operator approves them, then they log in; 金融机构入驻 shows the admin password once', async ({ page }) => {
  // The seed's application (applicant_pending, 贵州黔农数字科技有限公司) waits for review.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto('/applicant.html');
  await page.getByPlaceholder('请输入用户名').fill('applicant_pending');
  await page.getByPlaceholder('请输入密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toHaveText('注册申请审核中，审核通过后方可登录');
  await shot(page, 'applicant-login-pending');
  await page.setViewportSize({ width: 1440, height: 900 });

  await signIn(page, PAGE, 'operator');
  expect(await menu(page)).toContain('注册审核');
  await page.locator('nav .item', { hasText: '注册审核' }).click();
  const row = page.getByTestId('applications').locator('tr[data-applicant="applicant_pending"]');
  await expect(row).toContainText('贵州黔农数字科技有限公司');
  await expect(row).toContainText('待审核');
  await expect(row).toContainText('****');
  await shot(page, 'admin-applicants');

  // 驳回 needs a reason; cancelled here, then 通过.
  await row.getByRole('button', { name: '驳回' }).click();
  await page.locator('.van-dialog').getByRole('button', { name: '驳回' }).click();
  await expect(page.locator('.van-notify')).toContainText('请填写驳回原因');
  await page.locator('#reject-reason').fill('测试');
  await shot(page, 'admin-applicants-reject');
  await page.locator('.van-dialog').getByRole('button', { name: '取消' }).click();
  await settled(page);
  await row.getByRole('button', { name: '通过' }).click();
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click();
  await expect(page.locator('.van-notify')).toContainText('已通过');
  await expect(row).toHaveCount(0); // the list shows 待审核 only
  await settled(page);
  expect(await tokenOf('applicant_pending')).toBeTruthy();

  // 金融机构入驻: a new org and its first 机构管理员.
  const code = `FI${run()}`;
  await page.getByRole('button', { name: '金融机构入驻' }).click();
  await page.locator('#fi-name').fill(`浏览器测试小贷公司${code}`);
  await page.locator('#fi-code').fill(code);
  await page.locator('#fi-kind').selectOption({ label: '小额贷款' });
  await page.locator('#fi-credit').fill(creditCode());
  await page.locator('#fi-admin').fill(`fi_${code.toLowerCase()}`);
  await page.locator('#fi-admin-name').fill('机构管理员');
  await shot(page, 'admin-onboard');
  await page.locator('.van-dialog').getByRole('button', { name: '入驻' }).click();
  const issued = page.getByTestId('onboarded');
  await expect(issued).toContainText(`fi_${code.toLowerCase()}`);
  expect((await issued.locator('.password').innerText()).trim().length).toBeGreaterThanOrEqual(8);
  await shot(page, 'admin-onboarded');
  await page.getByRole('button', { name: '我已记下' }).click();
});

test('角色管理: the platform admin reads the roles in words, changes one role’s data scope; removing the last role management is refused in Chinese', async ({ page }) => {
  await signIn(page, PAGE, 'platform');
  await page.locator('nav .item', { hasText: '角色管理' }).click();
  const table = page.getByTestId('roles');
  const platform = table.locator('tr[data-role="PLATFORM_ADMIN"]');
  await expect(platform).toContainText('平台管理员');
  await expect(platform).toContainText('角色管理'); // functions as the catalogue's labels
  await expect(table).not.toContainText(/ROLE_MANAGE|ORG_MANAGE/);
  await shot(page, 'admin-roles');

  // The last role able to manage roles keeps that function: CONFLICT LAST_ADMIN, in Chinese.
  await platform.getByRole('button', { name: '编辑' }).click();
  await page.getByTestId('role-functions').getByLabel('角色管理').uncheck();
  await page.locator('.van-dialog').getByRole('button', { name: '保存' }).click();
  await expect(page.locator('.van-notify')).toContainText('不能移除最后一个可管理角色的角色');
  await shot(page, 'admin-roles-last-admin');
  await page.locator('.van-dialog').getByRole('button', { name: '取消' }).click();
  await settled(page);

  // 总行业务审核 (no browser test signs in as one): 本机构 → 辖内, then back through the API.
  const reviewer = table.locator('tr[data-role="HQ_REVIEWER"]');
  await reviewer.getByRole('button', { name: '编辑' }).click();
  await page.locator('#role-scope').selectOption({ label: '辖内' });
  await page.locator('.van-dialog').getByRole('button', { name: '保存' }).click();
  await expect(page.locator('.van-notify')).toContainText('已保存角色');
  await expect(reviewer).toContainText('辖内');
  const { roles } = await gql<{ roles: { code: string; dataScope: string; version: number }[] }>(
    '{ roles { code dataScope version } }',
    {},
    await tokenOf('platform'),
  );
  const saved = roles.find((r) => r.code === 'HQ_REVIEWER')!;
  expect(saved.dataScope).toBe('SUBTREE');
  await gql(
    'mutation($v: Int!) { updateRole(input: { code: "HQ_REVIEWER", dataScope: TENANT, expectedVersion: $v }) { version } }',
    { v: saved.version },
    await tokenOf('platform'),
  );
});
