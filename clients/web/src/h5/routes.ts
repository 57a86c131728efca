import type { RouteRecordRaw } from 'vue-router';
import WorkbenchView from './views/WorkbenchView.vue';

// 首页 (移动工作台) ships with the entry; the other views load on first visit (the 200 KB budget).
// meta.tab: the page shows the bottom tab bar; meta.menu: its menu code (lib/pageViews.ts).
export const routes: RouteRecordRaw[] = [
  { path: '/', component: WorkbenchView, meta: { tab: true, menu: 'wb.home' } },
  // 我的客户 with the unread reminders' popup (from the workbench's entries)
  { path: '/customers', component: () => import('./views/HomeView.vue'), meta: { menu: 'wb.customers' } },
  { path: '/search', component: () => import('./views/SearchView.vue'), meta: { tab: true, menu: 'wb.search' } },
  { path: '/schedule', component: () => import('./views/ScheduleView.vue'), meta: { tab: true, menu: 'wb.schedule' } },
  { path: '/me', component: () => import('./views/MeView.vue'), meta: { tab: true, menu: 'wb.me' } },
  { path: '/opportunities', component: () => import('./views/OpportunitiesView.vue'), meta: { tab: true, menu: 'wb.opportunities' } },
  { path: '/customer/:id', component: () => import('./views/CustomerView.vue'), props: true },
  { path: '/customer/:id/contact', component: () => import('./views/ContactView.vue'), props: true },
  { path: '/customer/:id/tier', component: () => import('./views/TierView.vue'), props: true },
  // 营销: 我的工单 (list, detail with 反馈) and 方案进度 (per scheme: indicators, managers, channels)
  { path: '/orders', component: () => import('./views/WorkOrdersView.vue'), meta: { menu: 'wb.workorders' } },
  { path: '/orders/:id', component: () => import('./views/WorkOrderView.vue'), props: true },
  { path: '/schemes', component: () => import('./views/SchemesView.vue'), meta: { menu: 'wb.schemes' } },
  { path: '/schemes/:id', component: () => import('./views/SchemeProgressView.vue'), props: true },
  { path: '/:rest(.*)*', redirect: '/' },
];
