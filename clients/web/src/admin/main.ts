import { startApp } from '../lib/app';
import App from './App.vue';
import { routes } from './routes';

startApp('admin', App, routes, 'PC');
