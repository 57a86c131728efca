// Browser tests: Debian's Chromium (not Playwright's download) against a running stack whose
// pages and gateway DCMS_WEB_URL and DCMS_GATEWAY_URL name. `make test` starts that stack
// (tests/e2e/test_web.py); `python -m tests.support.webstack` starts one by hand.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  // One at a time: the stack, the gateway and Chromium share two cores.
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  outputDir: 'test-results/artifacts',
  use: {
    baseURL: process.env.DCMS_WEB_URL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'mobile',
      testMatch: /(h5|workbench|grab|applicant|session|schemes|opportunities)\.spec\.ts$/,
      use: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    },
    { name: 'desktop', testMatch: /(regulator|admin)\.spec\.ts$/, use: { viewport: { width: 1440, height: 900 } } },
    // The monitoring wall (大屏) at the size it is laid out for.
    { name: 'wall', testMatch: /wall\.spec\.ts$/, use: { viewport: { width: 1920, height: 1080 } } },
  ],
});
