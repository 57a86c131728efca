// What every browser test shares: the page fixture that points the app at the test stack's
// gateway, GraphQL calls as a demo user (to arrange data and to read what the page should show),
// sign-in through the page's own form, and screenshots saved under test-results/screenshots/.
import { test as base, expect, type Page } from '@playwright/test';

export const GATEWAY_URL = process.env.DCMS_GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql';
export const PASSWORD = 'Dcms@2026demo';
export const SCREENSHOTS = 'test-results/screenshots';

export const test = base.extend({
  page: async ({ page }, use) => {
    await page.addInitScript((url) => {
      window.DCMS_GATEWAY_URL = url;
    }, GATEWAY_URL);
    await use(page);
  },
  context: async ({ context }, use) => {
    await context.addInitScript((url) => {
      window.DCMS_GATEWAY_URL = url;
    }, GATEWAY_URL);
    await use(context);
  },
});
export { expect };

export interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}

/** One operation against the gateway; the raw answer (data and errors). */
export async function gqlRaw<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLAnswer<T>> {
  const response = await fetch(GATEWAY_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLAnswer<T>;
}

/** One operation that must succeed: its data. */
export async function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const answer = await gqlRaw<T>(query, variables, token);
  if (answer.errors?.length || !answer.data) throw new Error(`GraphQL failed: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

const tokens = new Map<string, string>();

/** An access token of a demo user (one login per user and test run). */
export async function tokenOf(username: string): Promise<string> {
  let token = tokens.get(username);
  if (!token) {
    const data = await gql<{ login: { accessToken: string } }>(
      'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
      { u: username, p: PASSWORD },
    );
    token = data.login.accessToken;
    tokens.set(username, token);
  }
  return token;
}

/** Open a page and sign in through its form. */
export async function signIn(page: Page, path: string, username: string): Promise<void> {
  await page.goto(path);
  await page.getByPlaceholder('请输入用户名').fill(username);
  await page.getByPlaceholder('请输入密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByPlaceholder('请输入用户名')).toBeHidden();
}

/** A full-page screenshot at the page's viewport, kept as a test artifact. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** A 统一社会信用代码 with its check character (GB 32100), never issued to a test before. */
export function creditCode(): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const body = `91520115${Array.from({ length: 9 }, () => chars[Math.floor(Math.random() * 31)]).join('')}`;
  const sum = [...body].reduce((total, c, i) => total + chars.indexOf(c) * weights[i]!, 0);
  return body + chars[(31 - (sum % 31)) % 31];
}
