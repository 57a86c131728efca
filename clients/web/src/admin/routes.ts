import type { RouteRecordRaw } from 'vue-router';

// Each section is loaded with its view (meta.menu: its menu code, lib/pageViews.ts); the layout sends the user to the first section their role may use.
export const routes: RouteRecordRaw[] = [
  { path: '/', component: { render: () => null } },
  { path: '/users', component: () => import('./views/UsersView.vue'), meta: { title: '用户管理', menu: 'admin.users' } },
  { path: '/user-changes', component: () => import('./views/UserChangesView.vue'), meta: { title: '用户变更历史', menu: 'admin.user-changes' } },
  { path: '/applicants', component: () => import('./views/ApplicantsView.vue'), meta: { title: '注册审核', menu: 'admin.applicants' } },
  { path: '/orgs', component: () => import('./views/OrgsView.vue'), meta: { title: '机构管理', menu: 'admin.orgs' } },
  { path: '/roles', component: () => import('./views/RolesView.vue'), meta: { title: '角色管理', menu: 'admin.roles' } },
  { path: '/menus', component: () => import('./views/MenusView.vue'), meta: { title: '菜单及功能管理', menu: 'admin.menus' } },
  { path: '/logs', component: () => import('./views/LogsView.vue'), meta: { title: '日志管理', menu: 'admin.logs' } },
  { path: '/page-views', component: () => import('./views/PageViewsView.vue'), meta: { title: '操作日志', menu: 'admin.page-views' } },
  { path: '/parameters', component: () => import('./views/ParametersView.vue'), meta: { title: '参数管理', menu: 'admin.parameters' } },
  { path: '/reports', component: () => import('./views/ReportsView.vue'), meta: { title: '业务报表', menu: 'admin.reports' } },
];
