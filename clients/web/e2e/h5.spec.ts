import { expect, shot, signIn, test } from './support';

test('a manager signs in and sees the first 20 customers', async ({ page }) => {
  await signIn(page, '/h5.html', 'manager');
  await expect(page.locator('.van-cell')).toHaveCount(20);
  await shot(page, 'h5-home');
});
