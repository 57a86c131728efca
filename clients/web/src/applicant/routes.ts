import type { RouteRecordRaw } from 'vue-router';
import HomeView from './views/HomeView.vue';

// `tab`: the page shows the bottom tab bar (我的订单 / 金融超市 / 我的投诉); `public`: no sign-in (注册);
// `menu`: its menu code (lib/pageViews.ts).
export const routes: RouteRecordRaw[] = [
  { path: '/', component: HomeView, meta: { tab: true, menu: 'applicant.home' } },
  { path: '/post', component: () => import('./views/PostNeedView.vue') },
  { path: '/needs/:id', component: () => import('./views/NeedDetailView.vue'), props: true },
  { path: '/applications/:id', component: () => import('./views/ApplicationDetailView.vue'), props: true },
  { path: '/complain/:handlingId', component: () => import('./views/ComplainView.vue'), props: true },
  { path: '/complaints', component: () => import('./views/ComplaintsView.vue'), meta: { tab: true, menu: 'applicant.complaints' } },
  { path: '/products', component: () => import('./views/ProductsView.vue'), meta: { tab: true, menu: 'applicant.products' } },
  { path: '/register', component: () => import('./views/RegisterView.vue'), meta: { public: true } },
  { path: '/:rest(.*)*', redirect: '/' },
];
