import type { RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [{ path: '/', component: () => import('./views/HomeView.vue') }];
