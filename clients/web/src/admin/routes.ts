import type { RouteRecordRaw } from 'vue-router';

// Each section is loaded with its view; the layout sends the user to the first section their role may use.
export const routes: RouteRecordRaw[] = [
  { path: '/', component: { render: () => null } },
  { path: '/users', component: () => import('./views/UsersView.vue'), meta: { title: '用户管理' } },
  { path: '/user-changes', component: () => import('./views/UserChangesView.vue'), meta: { title: '用户变更历史' } },
  { path: '/applicants', component: () => import('./views/ApplicantsView.vue'), meta: { title: '注册审核' } },
  { path: '/orgs', component: () => import('./views/OrgsView.vue'), meta: { title: '机构管理' } },
  { path: '/roles', component: () => import('./views/RolesView.vue'), meta: { title: '角色管理' } },
  { path: '/logs', component: () => import('./views/LogsView.vue'), meta: { title: '日志管理' } },
  { path: '/page-views', component: () => import('./views/PageViewsView.vue'), meta: { title: '操作日志' } },
  { path: '/parameters', component: () => import('./views/ParametersView.vue'), meta: { title: '参数管理' } },
  { path: '/reports', component: () => import('./views/ReportsView.vue'), meta: { title: '业务报表' } },
];
