import type { RouteRecordRaw } from 'vue-router';

// `meta.tab`: a page of the tab bar (抢单池, 我的订单); `meta.menu`: its menu code (lib/pageViews.ts).
export const routes: RouteRecordRaw[] = [
  { path: '/', component: () => import('./views/PoolView.vue'), meta: { tab: true, menu: 'grab.pool' } },
  { path: '/orders', component: () => import('./views/OrdersView.vue'), meta: { tab: true, menu: 'grab.orders' } },
  { path: '/orders/:id', component: () => import('./views/OrderDetailView.vue'), props: true },
  { path: '/:rest(.*)*', redirect: '/' },
];
