import type { RouteRecordRaw } from 'vue-router';

// The statistics view is lazy: ECharts (and exceljs, loaded on export) stay out of the first chunk.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/warnings' },
  { path: '/warnings', component: () => import('./views/WarningsView.vue'), meta: { title: '督办预警', menu: 'regulator.warnings' } },
  { path: '/orders', component: () => import('./views/OrdersView.vue'), meta: { title: '订单监管', menu: 'regulator.orders' } },
  { path: '/stats', component: () => import('./views/StatsView.vue'), meta: { title: '市场统计', menu: 'regulator.stats' } },
  { path: '/complaints', component: () => import('./views/ComplaintsView.vue'), meta: { title: '投诉复核', menu: 'regulator.complaints' } },
];
