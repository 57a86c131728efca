// Sessions on every page (lib/auth.ts, lib/client.ts, components/SessionGate.vue), driven through
// the H5 app: an access token that no longer works is refreshed without the user noticing, and a
// session that ended (logout elsewhere) asks for the password over the page, which is kept.
import type { Page } from '@playwright/test';
import { expect, gql, PASSWORD, shot, signIn, test } from './support';

const KEY = 'dcms.h5.session';

interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
}

async function session(page: Page): Promise<Session> {
  return JSON.parse((await page.evaluate((key) => sessionStorage.getItem(key), KEY)) ?? 'null') as Session;
}

test('an access token the gateway refuses is refreshed and the page loads as if nothing happened', async ({ page }) => {
  await signIn(page, '/h5.html', 'manager');
  await expect(page.locator('[data-test=workbench-tiles]')).toBeVisible();
  const before = await session(page);
  // The stored access token stops working (as an expired one does); the refresh token still works.
  await page.evaluate(
    ([key, value]) => sessionStorage.setItem(key, value),
    [KEY, JSON.stringify({ ...before, accessToken: 'expired.token.value' })],
  );
  await page.reload();
  await expect(page.locator('[data-test=workbench-tiles]')).toBeVisible();
  await expect(page.getByPlaceholder('请输入用户名')).toBeHidden();
  const after = await session(page);
  expect(after.accessToken).not.toBe('expired.token.value');
  expect(after.refreshToken).not.toBe(before.refreshToken); // one-use: traded for a new one
});

test('a token about to expire is refreshed before the request goes out', async ({ page }) => {
  await signIn(page, '/h5.html', 'manager');
  const before = await session(page);
  await page.evaluate(
    ([key, value]) => sessionStorage.setItem(key, value),
    [KEY, JSON.stringify({ ...before, expiresAt: new Date(Date.now() + 10_000).toISOString() })],
  );
  await page.reload();
  await expect(page.locator('[data-test=workbench-tiles]')).toBeVisible();
  expect((await session(page)).accessToken).not.toBe(before.accessToken);
});

test('a session ended elsewhere asks for the password over the page, and the page is kept', async ({ page }) => {
  await signIn(page, '/h5.html', 'manager');
  await page.goto('/h5.html#/search');
  const text = page.getByPlaceholder('客户姓名 / 客户号');
  await text.fill('张');
  // Logout from elsewhere revokes the session: its access and refresh tokens both stop working.
  await gql('mutation { logout }', {}, (await session(page)).accessToken);
  await text.press('Enter'); // the next request finds out
  await expect(page.getByPlaceholder('请输入用户名')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '登录已失效' })).toBeVisible();
  await shot(page, 'session-ended');
  await page.getByPlaceholder('请输入用户名').fill('manager');
  await page.getByPlaceholder('请输入密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByPlaceholder('请输入用户名')).toBeHidden();
  // Same route, and what the user had typed is still there: the page was covered, not rebuilt.
  await expect(page).toHaveURL(/#\/search$/);
  await expect(text).toHaveValue('张');
});
