// H5 商机: the pool (商机池) with 认领, live — a colleague's claim shows 已被认领 at once and the card
// leaves — and 我的商机 with 跟进 records. Arranged through the API on the demo data.
import type { Page } from '@playwright/test';
import { expect, gql, shot, signIn, test, tokenOf } from './support';

const cards = (page: Page) => page.locator('[data-test=pool-card]');
const tab = (page: Page, name: string) => page.locator('.van-tabbar-item', { hasText: name });

test('the pool shows a colleague\'s claim at once; my claim lands in 我的商机 with its follow-ups', async ({ page }) => {
  await signIn(page, '/h5.html', 'manager');
  await tab(page, '商机').click();
  await expect(cards(page).first()).toBeVisible();
  await expect(page.locator('.van-tab--active')).toHaveText('商机池');
  // No title names a customer, and no full mobile number is on the page.
  expect(await page.locator('body').innerText()).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
  await shot(page, 'h5-opportunity-pool');

  // The branch head claims the first card through the API: the page marks it 已被认领, then drops it.
  const first = cards(page).first();
  const taken = (await first.getAttribute('data-id'))!;
  await expect(page.locator('.hint[role=status]')).toHaveCount(0, { timeout: 10_000 }); // the stream is live
  await page.waitForTimeout(1000); // the subscription reaches the subgraph
  const claim = 'mutation($id: ID!) { claimOpportunity(id: $id) { id status } }';
  await gql(claim, { id: taken }, await tokenOf('bh_gz0101'));
  const card = page.locator(`[data-test=pool-card][data-id="${taken}"]`);
  await expect(card.locator('[data-test=taken]')).toBeVisible({ timeout: 10_000 });
  await shot(page, 'h5-opportunity-taken');
  await expect(card).toHaveCount(0, { timeout: 10_000 });

  // My own claim of another card.
  const mine = cards(page).first();
  const mineId = (await mine.getAttribute('data-id'))!;
  const title = (await mine.locator('.title').innerText()).trim();
  await mine.locator('[data-test=claim]').click();
  await expect(page.getByText('认领成功，已加入我的商机')).toBeVisible();
  await expect(page.locator(`[data-test=pool-card][data-id="${mineId}"]`)).toHaveCount(0);

  // 我的商机: the claimed one, then a 跟进 recorded on it.
  await page.locator('.van-tab', { hasText: '我的商机' }).click();
  const myCard = page.locator('[data-test=my-card]', { hasText: title }).first();
  await expect(myCard).toBeVisible();
  await expect(myCard).toContainText('跟进中');
  await myCard.locator('[data-test=follow-up]').click();
  await page.locator('.van-radio', { hasText: '微信' }).click();
  await page.locator('[data-test=note] textarea').fill('微信沟通了产品利率，客户周五来网点面签');
  await shot(page, 'h5-opportunity-follow-up-form');
  await page.locator('[data-test=save-follow-up]').click();
  await expect(page.getByText('跟进已记录')).toBeVisible();
  await expect(myCard.locator('[data-test=follow-ups]')).toContainText('微信沟通了产品利率');
  await shot(page, 'h5-my-opportunities');
});
